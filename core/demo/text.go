package demo

import (
	"context"
	"crypto/md5"  //nolint:gosec // checksums on request, not security
	"crypto/rand" // uuid
	"crypto/sha1" //nolint:gosec // checksums on request, not security
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"maps"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const maxUUIDs = 100

// hashes maps each hash_text algorithm to its constructor.
var hashes = map[string]func() hash.Hash{
	"sha256": sha256.New, "sha512": sha512.New, "sha1": sha1.New, "md5": md5.New,
}

func addTextTools(s *mcp.Server) {
	mcp.AddTool(s, &mcp.Tool{
		Name:        "generate_uuid",
		Title:       "UUID generator",
		Description: "Generates random (version 4) UUIDs from a cryptographically secure source.",
		InputSchema: inputSchema[uuidInput](func(p map[string]*jsonschema.Schema) {
			p["count"].Minimum, p["count"].Maximum = new(1.0), new(float64(maxUUIDs))
			p["count"].Default = defaultOf(1)
		}),
		Annotations: toolAnnotations("UUID generator", false),
	}, generateUUID)

	mcp.AddTool(s, &mcp.Tool{
		Name:  "hash_text",
		Title: "Hash text",
		Description: "Computes the SHA-256 (default), SHA-512, SHA-1 or MD5 digest of the UTF-8 bytes of a text, " +
			"as lowercase hex. SHA-1 and MD5 are for checksums only, not for security.",
		InputSchema: inputSchema[hashInput](func(p map[string]*jsonschema.Schema) {
			p["algorithm"].Enum = enumOf("sha256", "sha512", "sha1", "md5")
			p["algorithm"].Default = defaultOf("sha256")
		}),
		Annotations: toolAnnotations("Hash text", true),
	}, hashText)

	mcp.AddTool(s, &mcp.Tool{
		Name:  "encode_text",
		Title: "Encode or decode text",
		Description: "Encodes text to, or decodes it from, base64, base64url, URL percent-encoding (query-string style, " +
			"space as +) or hex. Decoding fails if the input is malformed or does not decode to UTF-8 text.",
		InputSchema: inputSchema[encodeInput](func(p map[string]*jsonschema.Schema) {
			p["encoding"].Enum = enumOf(encodingNames()...)
			p["direction"].Enum = enumOf("encode", "decode")
			p["direction"].Default = defaultOf("encode")
		}),
		Annotations: toolAnnotations("Encode or decode text", true),
	}, encodeText)

	mcp.AddTool(s, &mcp.Tool{
		Name:        "count_text",
		Title:       "Text statistics",
		Description: "Counts the words, lines, paragraphs, characters (Unicode code points) and bytes of a text.",
		Annotations: toolAnnotations("Text statistics", true),
	}, countText)
}

type uuidInput struct {
	Count int `json:"count,omitempty" jsonschema:"how many UUIDs to generate, from 1 to 100"`
}

type uuidOutput struct {
	UUIDs []string `json:"uuids"`
}

func generateUUID(_ context.Context, _ *mcp.CallToolRequest, in uuidInput) (*mcp.CallToolResult, uuidOutput, error) {
	n := in.Count
	if n == 0 {
		n = 1
	}
	if n < 1 || n > maxUUIDs {
		return nil, uuidOutput{}, fmt.Errorf("count must be between 1 and %d, got %d", maxUUIDs, in.Count)
	}
	out := uuidOutput{UUIDs: make([]string, n)}
	for i := range out.UUIDs {
		out.UUIDs[i] = newUUID()
	}
	return textResult("%s", strings.Join(out.UUIDs, "\n")), out, nil
}

// newUUID returns a random RFC 9562 version 4 UUID.
func newUUID() string {
	var u [16]byte
	rand.Read(u[:])         // never returns an error (crypto/rand, Go 1.24+)
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // variant 10
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

type hashInput struct {
	Text      string `json:"text" jsonschema:"the text to hash (its UTF-8 bytes)"`
	Algorithm string `json:"algorithm,omitempty" jsonschema:"sha256, sha512, sha1 or md5"`
}

type hashOutput struct {
	Algorithm string `json:"algorithm"`
	Hex       string `json:"hex" jsonschema:"the digest as lowercase hex"`
}

func hashText(_ context.Context, _ *mcp.CallToolRequest, in hashInput) (*mcp.CallToolResult, hashOutput, error) {
	alg := strings.ToLower(strings.TrimSpace(in.Algorithm))
	if alg == "" {
		alg = "sha256"
	}
	newHash, ok := hashes[strings.ReplaceAll(alg, "-", "")]
	if !ok {
		return nil, hashOutput{}, fmt.Errorf("unknown algorithm %q: use sha256, sha512, sha1 or md5", in.Algorithm)
	}
	h := newHash()
	h.Write([]byte(in.Text)) // hash.Hash.Write never returns an error
	out := hashOutput{Algorithm: strings.ReplaceAll(alg, "-", ""), Hex: hex.EncodeToString(h.Sum(nil))}
	return textResult("%s", out.Hex), out, nil
}

type encodeInput struct {
	Text      string `json:"text" jsonschema:"the text to encode, or the encoded text to decode"`
	Encoding  string `json:"encoding" jsonschema:"base64, base64url, url or hex"`
	Direction string `json:"direction,omitempty" jsonschema:"encode (default) or decode"`
}

type encodeOutput struct {
	Result string `json:"result"`
}

func encodeText(_ context.Context, _ *mcp.CallToolRequest, in encodeInput) (*mcp.CallToolResult, encodeOutput, error) {
	c, ok := codecs[strings.ToLower(strings.TrimSpace(in.Encoding))]
	if !ok {
		return nil, encodeOutput{}, fmt.Errorf("unknown encoding %q: use %s", in.Encoding, strings.Join(encodingNames(), ", "))
	}
	var res string
	switch strings.ToLower(strings.TrimSpace(in.Direction)) {
	case "", "encode":
		res = c.encode([]byte(in.Text))
	case "decode":
		b, err := c.decode(strings.TrimSpace(in.Text))
		if err != nil {
			return nil, encodeOutput{}, fmt.Errorf("invalid %s input: %w", in.Encoding, err)
		}
		if !utf8.Valid(b) {
			return nil, encodeOutput{}, fmt.Errorf("decoded %d bytes are not UTF-8 text (hex: %s)", len(b), truncate(hex.EncodeToString(b), 64))
		}
		res = string(b)
	default:
		return nil, encodeOutput{}, fmt.Errorf("unknown direction %q: use encode or decode", in.Direction)
	}
	return textResult("%s", res), encodeOutput{Result: res}, nil
}

// codec is one encode_text encoding.
type codec struct {
	encode func([]byte) string
	decode func(string) ([]byte, error)
}

var codecs = map[string]codec{
	"base64":    {base64.StdEncoding.EncodeToString, decodeBase64(base64.StdEncoding)},
	"base64url": {base64.URLEncoding.EncodeToString, decodeBase64(base64.URLEncoding)},
	"hex":       {hex.EncodeToString, hex.DecodeString},
	"url": {
		func(b []byte) string { return url.QueryEscape(string(b)) },
		func(s string) ([]byte, error) {
			v, err := url.QueryUnescape(s)
			return []byte(v), err
		},
	},
}

// encodingNames returns the names of the encode_text encodings, sorted.
func encodingNames() []string { return slices.Sorted(maps.Keys(codecs)) }

// decodeBase64 accepts both padded and unpadded input, since both are common.
func decodeBase64(padded *base64.Encoding) func(string) ([]byte, error) {
	raw := padded.WithPadding(base64.NoPadding)
	return func(s string) ([]byte, error) {
		if strings.HasSuffix(s, "=") {
			return padded.DecodeString(s)
		}
		return raw.DecodeString(s)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

type countInput struct {
	Text string `json:"text" jsonschema:"the text to measure"`
}

type countOutput struct {
	Words                    int `json:"words" jsonschema:"runs of non-space characters"`
	Lines                    int `json:"lines" jsonschema:"lines, not counting a final empty line after a trailing newline"`
	Paragraphs               int `json:"paragraphs" jsonschema:"blocks of non-blank lines"`
	Characters               int `json:"characters" jsonschema:"Unicode code points"`
	CharactersExcludingSpace int `json:"characters_excluding_spaces" jsonschema:"code points that are not white space"`
	Bytes                    int `json:"bytes" jsonschema:"length in UTF-8 bytes"`
}

func countText(_ context.Context, _ *mcp.CallToolRequest, in countInput) (*mcp.CallToolResult, countOutput, error) {
	out := textStats(in.Text)
	return textResult("%d words, %d lines, %d paragraphs, %d characters (%d excluding spaces), %d bytes",
		out.Words, out.Lines, out.Paragraphs, out.Characters, out.CharactersExcludingSpace, out.Bytes), out, nil
}

func textStats(s string) countOutput {
	out := countOutput{
		Words:      len(strings.Fields(s)),
		Characters: utf8.RuneCountInString(s),
		Bytes:      len(s),
	}
	for _, r := range s {
		if !unicode.IsSpace(r) {
			out.CharactersExcludingSpace++
		}
	}
	inPara := false
	for line := range strings.Lines(s) {
		out.Lines++
		blank := strings.TrimSpace(line) == ""
		if !blank && !inPara {
			out.Paragraphs++
		}
		inPara = !blank
	}
	return out
}
