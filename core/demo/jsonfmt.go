package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/jsonschema-go/jsonschema"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func addJSONTool(s *mcp.Server) {
	mcp.AddTool(s, &mcp.Tool{
		Name:  "json_format",
		Title: "Format JSON",
		Description: "Pretty-prints, minifies or validates a JSON document. Invalid JSON is reported with its line and column. " +
			"Numbers are kept exactly as written, and key order too unless sort_keys is set.",
		InputSchema: inputSchema[jsonInput](func(p map[string]*jsonschema.Schema) {
			p["mode"].Enum = enumOf("pretty", "minify", "validate")
			p["mode"].Default = defaultOf("pretty")
			p["indent"].Minimum, p["indent"].Maximum = new(0.0), new(8.0)
			p["indent"].Default = defaultOf(2)
		}),
		Annotations: toolAnnotations("Format JSON", true),
	}, formatJSON)
}

type jsonInput struct {
	JSON     string `json:"json" jsonschema:"the JSON document"`
	Mode     string `json:"mode,omitempty" jsonschema:"pretty (default), minify or validate"`
	Indent   int    `json:"indent,omitempty" jsonschema:"spaces per level when pretty-printing, 0 to 8 (0 means a tab)"`
	SortKeys bool   `json:"sort_keys,omitempty" jsonschema:"sort object keys alphabetically"`
}

type jsonOutput struct {
	Valid  bool   `json:"valid"`
	Result string `json:"result,omitempty" jsonschema:"the formatted document (absent in validate mode)"`
	Error  string `json:"error,omitempty" jsonschema:"why the document is invalid (validate mode only)"`
}

func formatJSON(_ context.Context, _ *mcp.CallToolRequest, in jsonInput) (*mcp.CallToolResult, jsonOutput, error) {
	mode := strings.ToLower(strings.TrimSpace(in.Mode))
	if mode == "" {
		mode = "pretty"
	}
	if mode != "pretty" && mode != "minify" && mode != "validate" {
		return nil, jsonOutput{}, fmt.Errorf("unknown mode %q: use pretty, minify or validate", in.Mode)
	}
	if in.Indent < 0 || in.Indent > 8 {
		return nil, jsonOutput{}, fmt.Errorf("indent must be between 0 and 8, got %d", in.Indent)
	}
	res, err := reformatJSON([]byte(in.JSON), mode, in.Indent, in.SortKeys)
	var syn *jsonSyntaxError
	switch {
	case mode == "validate" && errors.As(err, &syn):
		return textResult("invalid JSON: %s", syn), jsonOutput{Error: syn.Error()}, nil
	case err != nil:
		return nil, jsonOutput{}, err
	case mode == "validate":
		return textResult("valid JSON"), jsonOutput{Valid: true}, nil
	}
	return textResult("%s", res), jsonOutput{Valid: true, Result: res}, nil
}

// jsonSyntaxError locates invalid JSON by line and column (both from 1,
// columns in code points) for people and models, who do not count bytes.
type jsonSyntaxError struct {
	line, column int
	msg          string
}

func (e *jsonSyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.line, e.column, e.msg)
}

// reformatJSON validates data and, unless mode is "validate", returns it
// pretty-printed (mode "pretty") or minified (mode "minify"). An invalid
// document yields a *jsonSyntaxError.
func reformatJSON(data []byte, mode string, indent int, sortKeys bool) (string, error) {
	if err := checkJSON(data); err != nil {
		return "", err
	}
	if mode == "validate" {
		return "", nil
	}
	if sortKeys {
		var err error
		if data, err = sortKeysJSON(data); err != nil {
			return "", err
		}
	}
	var buf bytes.Buffer
	var err error
	if mode == "minify" {
		err = json.Compact(&buf, data)
	} else {
		prefix := "\t"
		if indent > 0 {
			prefix = strings.Repeat(" ", indent)
		}
		err = json.Indent(&buf, data, "", prefix)
	}
	if err != nil {
		return "", fmt.Errorf("formatting JSON: %w", err)
	}
	return buf.String(), nil
}

func checkJSON(data []byte) error {
	if json.Valid(data) {
		return nil
	}
	var v any
	err := json.Unmarshal(data, &v)
	var syn *json.SyntaxError
	if !errors.As(err, &syn) {
		return &jsonSyntaxError{line: 1, column: 1, msg: "invalid JSON"}
	}
	pos := min(max(int(syn.Offset)-1, 0), len(data))
	before := data[:pos]
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return &jsonSyntaxError{
		line:   bytes.Count(before, []byte{'\n'}) + 1,
		column: utf8.RuneCount(before[lineStart:]) + 1,
		msg:    syn.Error(),
	}
}

// sortKeysJSON re-encodes valid JSON with object keys sorted, keeping numbers
// exactly as written and leaving <, > and & unescaped.
func sortKeysJSON(data []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decoding JSON: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding JSON: %w", err)
	}
	return bytes.TrimSpace(buf.Bytes()), nil
}
