package demo

import (
	"context"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
)

const (
	aboutURI       = "mcplex://demo/about"
	unitsURIPrefix = "mcplex://demo/units/"
)

const aboutText = `# MCPlex demo server

This is the small MCP server built into MCPlex (` + "`mcplex demo-server`" + `, version %s).
The default configuration runs it as the first upstream, so a new gateway has real tools
to list, route, call and audit before anything else is installed: no Node, no Python,
no network.

## Tools

Every tool is read-only and closed-world: none writes files or opens connections.

| tool | what it does |
|---|---|
| get_current_time | current date and time in an IANA time zone |
| calculate | arithmetic with + - * / %% ^, parentheses, pi, e, sqrt, ln, ... |
| convert_units | length, mass, temperature and data-size conversion |
| generate_uuid | random version 4 UUIDs |
| hash_text | SHA-256, SHA-512, SHA-1 or MD5 of a text, as hex |
| encode_text | base64, base64url, URL and hex encoding and decoding |
| json_format | pretty-print, minify or validate JSON |
| count_text | words, lines, paragraphs, characters and bytes |
| wait | sleep up to 30 s with progress notifications; honours cancellation |

## Resources and prompts

- ` + "`" + aboutURI + "`" + `: this page.
- ` + "`" + unitsURIPrefix + "{category}`" + `: the units convert_units accepts, for %s.
- prompt ` + "`summarize`" + `: asks the model to summarize a text.

Replace or extend this upstream in mcplex.toml to connect your own MCP servers.
`

func addContent(s *mcp.Server, version string) {
	about := fmt.Sprintf(aboutText, version, strings.Join(unitCategories, ", "))
	s.AddResource(&mcp.Resource{
		URI:         aboutURI,
		Name:        "about",
		Title:       "About the MCPlex demo server",
		Description: "What the demo server is and which tools, resources and prompts it offers.",
		MIMEType:    "text/markdown",
		Size:        int64(len(about)),
	}, func(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		return markdown(req.Params.URI, about), nil
	})

	s.AddResourceTemplate(&mcp.ResourceTemplate{
		URITemplate: unitsURIPrefix + "{category}",
		Name:        "units",
		Title:       "Units by category",
		Description: "The units convert_units accepts for one category: " + strings.Join(unitCategories, ", ") + ".",
		MIMEType:    "text/markdown",
	}, readUnits)

	s.AddPrompt(&mcp.Prompt{
		Name:        "summarize",
		Title:       "Summarize text",
		Description: "Asks the model to summarize a text, as a paragraph (default) or as bullet points.",
		Arguments: []*mcp.PromptArgument{
			{Name: "text", Title: "Text", Description: "The text to summarize.", Required: true},
			{Name: "style", Title: "Style", Description: "paragraph (default) or bullets."},
		},
	}, summarize)
}

func markdown(uri, text string) *mcp.ReadResourceResult {
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, MIMEType: "text/markdown", Text: text}}}
}

func readUnits(_ context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	uri := req.Params.URI
	text, ok := unitsMarkdown(strings.TrimPrefix(uri, unitsURIPrefix))
	if !strings.HasPrefix(uri, unitsURIPrefix) || !ok {
		return nil, mcp.ResourceNotFoundError(uri)
	}
	return markdown(uri, text), nil
}

func summarize(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
	text := strings.TrimSpace(req.Params.Arguments["text"])
	if text == "" {
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: `prompt "summarize" requires the argument "text"`}
	}
	var instruction string
	switch style := strings.ToLower(strings.TrimSpace(req.Params.Arguments["style"])); style {
	case "", "paragraph":
		instruction = "Summarize the following text in one short paragraph."
	case "bullets":
		instruction = "Summarize the following text as three to five concise bullet points."
	default:
		return nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: fmt.Sprintf("unknown style %q: use paragraph or bullets", style)}
	}
	msg := instruction + " Keep names, numbers and dates exact; do not add information that is not in the text.\n\n<text>\n" + text + "\n</text>"
	return &mcp.GetPromptResult{
		Description: "Summarize a text",
		Messages:    []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: msg}}},
	}, nil
}
