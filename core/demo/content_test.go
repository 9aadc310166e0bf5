package demo

import (
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
)

func TestAboutResource(t *testing.T) {
	t.Parallel()
	cs := connect(t, NewServer("v9.9.9"), nil)
	list, err := cs.ListResources(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Resources) != 1 || list.Resources[0].URI != aboutURI || list.Resources[0].MIMEType != "text/markdown" {
		t.Fatalf("resources = %+v, want only %s (text/markdown)", list.Resources, aboutURI)
	}
	res, err := cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: aboutURI})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Contents) != 1 || res.Contents[0].MIMEType != "text/markdown" {
		t.Fatalf("contents = %+v, want one markdown text", res.Contents)
	}
	text := res.Contents[0].Text
	if int64(len(text)) != list.Resources[0].Size {
		t.Errorf("size in list = %d, text is %d bytes", list.Resources[0].Size, len(text))
	}
	// The page is the user's first look at MCPlex: it must name every tool and
	// the version, and contain no unexpanded format verbs.
	for _, want := range append([]string{"# MCPlex demo server", "v9.9.9", unitsURIPrefix, "summarize"}, allTools...) {
		if !strings.Contains(text, want) {
			t.Errorf("about page does not mention %q", want)
		}
	}
	if strings.Contains(text, "%!") {
		t.Errorf("about page has a formatting error:\n%s", text)
	}
}

func TestUnitsTemplate(t *testing.T) {
	t.Parallel()
	cs := connect(t, NewServer("test"), nil)
	list, err := cs.ListResourceTemplates(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.ResourceTemplates) != 1 || list.ResourceTemplates[0].URITemplate != unitsURIPrefix+"{category}" {
		t.Fatalf("templates = %+v", list.ResourceTemplates)
	}
	for _, category := range unitCategories {
		res, err := cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: unitsURIPrefix + category})
		if err != nil {
			t.Errorf("read %s: %v", category, err)
			continue
		}
		if text := res.Contents[0].Text; !strings.Contains(text, "# "+category+" units") || !strings.Contains(text, "| "+unitSymbols(category)[0]+" |") {
			t.Errorf("units page for %s:\n%s", category, text)
		}
	}
	if _, err := cs.ReadResource(t.Context(), &mcp.ReadResourceParams{URI: unitsURIPrefix + "volume"}); err == nil {
		t.Error("reading an unknown category succeeded")
	}
}

func TestSummarizePrompt(t *testing.T) {
	t.Parallel()
	cs := connect(t, NewServer("test"), nil)
	list, err := cs.ListPrompts(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Prompts) != 1 || list.Prompts[0].Name != "summarize" || !list.Prompts[0].Arguments[0].Required {
		t.Fatalf("prompts = %+v, want summarize with a required argument", list.Prompts)
	}
	tests := []struct {
		name    string
		args    map[string]string
		want    string // substring of the user message; "" means an error is expected
		wantErr string
	}{
		{"paragraph", map[string]string{"text": "The cat sat."}, "one short paragraph", ""},
		{"bullets", map[string]string{"text": "The cat sat.", "style": "Bullets"}, "bullet points", ""},
		{"missing text", map[string]string{}, "", `requires the argument "text"`},
		{"blank text", map[string]string{"text": "  "}, "", `requires the argument "text"`},
		{"bad style", map[string]string{"text": "x", "style": "haiku"}, "", `unknown style "haiku"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := cs.GetPrompt(t.Context(), &mcp.GetPromptParams{Name: "summarize", Arguments: tt.args})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("GetPrompt error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Messages) != 1 || res.Messages[0].Role != "user" {
				t.Fatalf("messages = %+v, want one user message", res.Messages)
			}
			text := res.Messages[0].Content.(*mcp.TextContent).Text
			if !strings.Contains(text, tt.want) || !strings.Contains(text, "<text>\n"+tt.args["text"]+"\n</text>") {
				t.Errorf("message = %q, want %q and the text", text, tt.want)
			}
		})
	}
}
