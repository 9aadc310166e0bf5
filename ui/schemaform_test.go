package ui

import (
	"encoding/json"
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestSchemaFormFallsBackToJSON(t *testing.T) {
	test.NewTempApp(t)
	for _, schema := range []string{``, `{"type":"object"}`, `{not json`} {
		f := buildSchemaForm(json.RawMessage(schema))
		if f.whole == nil {
			t.Fatalf("schema %q: no whole-arguments JSON editor", schema)
		}
		f.whole.SetText(`{"q": "x", "n": 2}`)
		args, err := f.args()
		if err != nil || args["q"] != "x" {
			t.Errorf("schema %q: args %v, %v", schema, args, err)
		}
		f.whole.SetText(`[1]`)
		if _, err := f.args(); err == nil {
			t.Errorf("schema %q: a JSON array was taken as the arguments", schema)
		}
	}
}

func TestSchemaFormTypes(t *testing.T) {
	test.NewTempApp(t)
	f := buildSchemaForm(json.RawMessage(`{"type":"object","properties":{
		"n":{"type":["number","null"]}, "level":{"enum":[1,2,3]}, "verbose":{"type":"boolean"},
		"any":{"type":["string","integer"]}, "opts":{"type":"object"}}}`))
	if f.whole != nil {
		t.Fatal("fell back to JSON")
	}
	f.field("n").entry.SetText("0.5")
	f.field("level").choice.SetSelected("2")
	f.field("verbose").check.SetChecked(true)
	f.field("any").entry.SetText(`"text"`)
	args, err := f.args()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(args)
	if got, want := string(b), `{"any":"text","level":2,"n":0.5,"verbose":true}`; got != want {
		t.Errorf("args %s, want %s", got, want)
	}
}
