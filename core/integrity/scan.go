package integrity

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

// Finding kinds reported by [Scan].
const (
	// FindingHiddenInstruction: prompt-injection markup or phrasing aimed at
	// the model (<IMPORTANT>, "ignore previous instructions", "do not tell
	// the user", "before using this tool, read ...", chat-template tokens).
	FindingHiddenInstruction = "hidden_instruction"
	// FindingSensitivePath: a credential or client-config file (~/.ssh,
	// id_rsa, mcp.json, .env, ~/.aws ...).
	FindingSensitivePath = "sensitive_path"
	// FindingExfiltration: phrasing that moves secrets or file contents into
	// a tool parameter, a URL or a mail address ("read X and put it in
	// 'sidenote'", "always BCC ...").
	FindingExfiltration = "exfiltration"
	// FindingInvisible: invisible Unicode (zero-width, bidi controls, tag
	// characters, variation-selector runs, control characters).
	FindingInvisible = "invisible_unicode"
	// FindingLongDescription: a description above MaxDescriptionBytes.
	FindingLongDescription = "long_description"
	// FindingCrossOrigin: the text names another server or one of its tools
	// (shadowing, mcp-scan's cross-reference heuristic).
	FindingCrossOrigin = "cross_origin"
)

// MaxDescriptionBytes is the description size above which Scan reports
// FindingLongDescription (8 KiB, IBM ContextForge's validation limit).
const MaxDescriptionBytes = 8 << 10

// MaxScanBytes is how much text (after decoding tag characters) the
// content rules read per tool, so a hostile server cannot make discovery
// slow with megabyte descriptions (the rules are linear, ~1 s per MiB).
// Text beyond it is reported as FindingLongDescription, never silently
// skipped; invisible characters are still checked in full.
const MaxScanBytes = 256 << 10

// Finding is one suspicious element of a tool definition. Field and Detail
// are already passed through Escape, so they are safe to log and display.
type Finding struct {
	Kind   string // one of the Finding* constants
	Field  string // "description", "title", "inputSchema.properties.x.description" ...
	Detail string
}

func (f Finding) String() string { return f.Kind + " in " + f.Field + ": " + f.Detail }

type rule struct {
	kind, label string
	re          *regexp.Regexp
	// accept, if set, filters submatches (for rules whose regexp alone is
	// too broad).
	accept func(m []string) bool
}

// secretWords matches the nouns an exfiltration instruction moves around.
const secretWords = `(?:credentials?|secrets?|api[ _-]?keys?|access[ _-]?tokens?|auth(?:entication)?[ _-]?tokens?|bearer[ _-]?tokens?|session[ _-]?tokens?|private[ _-]?keys?|ssh[ _-]?keys?|passwords?|env(?:ironment)?[ _-]?var(?:iable)?s?|cookies?)`

// moveVerbs are imperative verbs that put data somewhere. Imperative only:
// "passes it to" in a description is narration, "pass it as" is an order.
const moveVerbs = `(?:send|pass|put|include|insert|append|embed|attach|forward|copy|leak|exfiltrate|transmit|upload|post)`

var rules = []rule{
	{FindingHiddenInstruction, "instruction markup",
		regexp.MustCompile(`(?i)<\s*/?\s*(?:important|system|instructions?|system[-_ ]?(?:prompt|message)|hidden|secret|admin|assistant|critical)\s*>`), nil},
	{FindingHiddenInstruction, "chat template token",
		regexp.MustCompile(`(?i)<\|\s*(?:im_start|im_end|system|endoftext|start_header_id|eot_id)\s*\|>|\[/?INST\]|<</?SYS>>`), nil},
	{FindingHiddenInstruction, "HTML comment",
		regexp.MustCompile(`<!--`), nil},
	{FindingHiddenInstruction, "instruction override",
		regexp.MustCompile(`(?i)\b(?:ignore|disregard|forget|override|bypass)\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+|your\s+|these\s+)?(?:previous|prior|above|earlier|preceding|system|other|original)\s+(?:instructions?|prompts?|rules|directives|guidelines|messages)`), nil},
	{FindingHiddenInstruction, "concealment from the user",
		regexp.MustCompile(`(?i)\b(?:do\s+not|don'?t|never|must\s+not|should\s+not)\s+(?:tell|inform|notify|alert|mention|reveal|disclose|show|let)\b[^.\n<]{0,40}?\b(?:the\s+user|users?|anyone|human|this|that|it)\b|\bwithout\s+(?:telling|informing|notifying|alerting|asking|showing)\s+(?:the\s+)?user|\b(?:secretly|covertly)\b`), nil},
	{FindingHiddenInstruction, "precondition to read or send",
		regexp.MustCompile(`(?i)\bbefore\s+(?:using|calling|invoking|running|executing)\s+(?:this|any|the|other|another|each)\s+(?:\w+\s+)?tools?\b(?:[^.\n]|\.\S){0,40}?\b(?:read|open|cat|load|fetch|access|include|send|pass|upload)\b`), nil},
	{FindingSensitivePath, "sensitive file",
		regexp.MustCompile(`(?i)~/\.ssh\b|\.ssh/|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|\bmcp\.json\b|~/\.cursor\b|\bclaude_desktop_config\.json\b|~/\.aws\b|\.aws/credentials\b|\.git-credentials\b|\.netrc\b|\.npmrc\b|\.pypirc\b|\.pgpass\b|\.kube/config\b|\.docker/config\.json\b|/etc/(?:passwd|shadow|sudoers)\b|(?:^|[\s'"` + "`" + `(/\\=])\.env(?:\.[a-z0-9_-]+)?\b`), nil},
	{FindingExfiltration, "read then smuggle into a parameter",
		regexp.MustCompile(`(?i)\b(?:read|cat|open|load|get|copy|collect|extract)\b(?:[^.\n]|\.\S){0,60}?\b(?:and|then)\s+` + moveVerbs + `\s+(?:it|them|its\s+contents?|the\s+contents?|that|this)\s+(?:as|in|into|to|inside|via)\s+(?:the\s+)?(?:['"` + "`" + `][\w.-]+['"` + "`" + `]|[\w.-]+\s+(?:parameter|argument|field|param)\b)`), nil},
	{FindingExfiltration, "secrets into a parameter",
		regexp.MustCompile(`(?i)\b` + moveVerbs + `\s+(?:(?:[^.\n]|\.\S){0,40}?\s)?` + secretWords + `\b(?:[^.\n]|\.\S){0,40}?\b(?:to|into|in|as|via|inside)\s+(?:the\s+)?(?:['"` + "`" + `]([\w.-]+)['"` + "`" + `]|([\w.-]+)\s+(?:parameter|argument|field|param)\b)`),
		func(m []string) bool { return !secretParam(m[1] + m[2]) }},
	{FindingExfiltration, "secrets to a URL or mail address",
		regexp.MustCompile(`(?i)\b` + moveVerbs + `\s+(?:(?:[^.\n]|\.\S){0,40}?\s)?` + secretWords + `\b(?:[^.\n]|\.\S){0,40}?\b(?:to|via)\s+(?:https?://|[\w.+-]+@[\w-]+\.[\w.]+)`), nil},
	{FindingExfiltration, "hidden copy",
		regexp.MustCompile(`(?i)\balways\s+(?:bcc|cc)\b`), nil},
}

// secretParam reports whether a parameter name is meant to carry a secret
// ("pass the password in the password parameter" is how such tools work).
func secretParam(name string) bool {
	name = strings.ToLower(name)
	for _, w := range []string{"key", "token", "password", "passwd", "secret", "credential", "auth", "cookie"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// Scan reports suspicious elements in t's model-visible text: the name,
// title, annotations title, description and every string and key of the
// input and output schemas (property descriptions, enum values, defaults,
// property names...). otherServers maps every *other* server to its tool
// names (leave out t's own server) for the cross-origin check. Scan is pure
// and safe for concurrent use. The rules and their false-positive budget
// are described in the package doc.
//
// Scan indexes otherServers on every call; to scan a whole catalog, build
// a [Scanner] once instead.
func Scan(t *mcp.Tool, otherServers map[string][]string) []Finding {
	return NewScanner(otherServers).Scan("", t)
}

// Scanner is Scan with the cross-origin index built once, for scanning
// every tool of every server (building it per tool is quadratic). It is
// immutable and safe for concurrent use.
type Scanner struct {
	ix crossIndex
}

// NewScanner indexes servers (server -> tool names), normally every
// configured server including the ones whose tools will be scanned.
func NewScanner(servers map[string][]string) *Scanner {
	return &Scanner{ix: newCrossIndex(servers)}
}

// Scan is [Scan] for tool t of server: names belonging only to server
// itself are not cross-origin.
func (sc *Scanner) Scan(server string, t *mcp.Tool) []Finding {
	if t == nil {
		return nil
	}
	s := scanner{ix: sc.ix, server: server, tool: t.Name, budget: MaxScanBytes}
	s.text("name", t.Name, false)
	s.text("title", t.Title, true)
	if t.Annotations != nil {
		s.text("annotations.title", t.Annotations.Title, true)
	}
	s.text("description", t.Description, true)
	if n := len(t.Description); n > MaxDescriptionBytes {
		s.add(FindingLongDescription, "description", fmt.Sprintf("%d bytes, limit %d", n, MaxDescriptionBytes))
	}
	s.schema("inputSchema", normalize(t.InputSchema), "")
	s.schema("outputSchema", normalize(t.OutputSchema), "")
	return s.out
}

type scanner struct {
	ix           crossIndex
	server, tool string // the tool being scanned
	budget       int    // bytes the content rules may still read
	out          []Finding
}

func (s *scanner) add(kind, field, detail string) {
	s.out = append(s.out, Finding{Kind: kind, Field: field, Detail: detail})
}

// text runs every text rule over one string. prose enables the
// cross-origin check (descriptions and titles, not enum values or keys).
func (s *scanner) text(field, v string, prose bool) {
	if v == "" {
		return
	}
	if sum := invisibleSummary(v); sum != "" {
		s.add(FindingInvisible, field, sum)
	}
	r := reveal(v)
	if len(r) > s.budget {
		n := s.budget
		for n > 0 && !utf8.RuneStart(r[n]) {
			n--
		}
		s.add(FindingLongDescription, field, fmt.Sprintf("%d bytes; content rules read only the first %d (scan budget %d bytes per tool)", len(r), n, MaxScanBytes))
		r = r[:n]
	}
	s.budget -= len(r)
	for _, ru := range rules {
		var hits []string
		for _, m := range ru.re.FindAllStringSubmatch(r, maxMatches) {
			sn := snippet(m[0])
			if (ru.accept == nil || ru.accept(m)) && !slices.Contains(hits, sn) && len(hits) < maxHits {
				hits = append(hits, sn)
			}
		}
		if len(hits) > 0 {
			s.add(ru.kind, field, ru.label+": "+strings.Join(hits, ", "))
		}
	}
	if prose {
		for _, d := range crossMatches(r, s.ix, s.server, s.tool) {
			s.add(FindingCrossOrigin, field, d)
		}
	}
}

// schema walks decoded JSON, scanning every string and key. parentKey is
// the key v sits under, to tell prose ("description", "title") from data.
func (s *scanner) schema(path string, v any, parentKey string) {
	switch v := v.(type) {
	case string:
		s.text(path, v, parentKey == "description" || parentKey == "title")
	case []any:
		for i, e := range v {
			s.schema(fmt.Sprintf("%s[%d]", path, i), e, parentKey)
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := path + "." + Escape(k)
			s.text(p+" (key)", k, false)
			s.schema(p, v[k], k)
		}
	case json.Number, float64, bool, nil:
	}
}

// maxHits caps the distinct matches quoted in one finding; maxMatches
// caps the matches one rule examines in one string.
const (
	maxHits    = 5
	maxMatches = 1000
)

// snippet returns the matched text escaped and cut to 80 runes.
func snippet(m string) string {
	m = strings.Join(strings.Fields(m), " ")
	if utf8.RuneCountInString(m) > 80 {
		m = string([]rune(m)[:77]) + "..."
	}
	return `"` + Escape(m) + `"`
}
