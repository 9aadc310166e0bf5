package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// The argument form built from a tool's input schema.

// schemaFieldKind is how one argument is entered.
type schemaFieldKind int

const (
	schemaKindString schemaFieldKind = iota
	schemaKindInteger
	schemaKindNumber
	schemaKindBool
	schemaKindEnum
	schemaKindJSON // objects, arrays, unions: typed as JSON
)

// schemaField is one top-level property of the input schema.
type schemaField struct {
	name     string
	required bool
	kind     schemaFieldKind
	entry    *widget.Entry  // string, integer, number, JSON
	check    *widget.Check  // boolean
	choice   *widget.Select // enum
	enum     map[string]any // choice text -> value
	boolDef  bool           // a boolean's default
}

// schemaForm holds the fields, or one JSON editor for the whole arguments
// when the schema has no properties to build fields from.
type schemaForm struct {
	fields  []*schemaField
	whole   *widget.Entry
	content fyne.CanvasObject
}

type schemaNode struct {
	Type        json.RawMessage            `json:"type"`
	Description string                     `json:"description"`
	Enum        []any                      `json:"enum"`
	Default     any                        `json:"default"`
	Properties  map[string]json.RawMessage `json:"properties"`
	Required    []string                   `json:"required"`
}

func buildSchemaForm(raw json.RawMessage) *schemaForm {
	var s schemaNode
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &s); err != nil {
			return wholeJSONForm("The input schema could not be read (" + err.Error() + "): type the arguments as JSON.")
		}
	}
	if len(s.Properties) == 0 {
		return wholeJSONForm("The schema names no arguments; type them as JSON if the tool needs any.")
	}
	f := &schemaForm{}
	form := &widget.Form{}
	for _, name := range propertyOrder(s) {
		var p schemaNode
		_ = json.Unmarshal(s.Properties[name], &p) // a broken property is typed as JSON
		fld := newSchemaField(name, slices.Contains(s.Required, name), p)
		f.fields = append(f.fields, fld)
		label := name
		if fld.required {
			label += " *"
		}
		form.Items = append(form.Items, &widget.FormItem{Text: label, Widget: fld.widget(), HintText: fld.hint(p)})
	}
	f.content = container.NewVBox(form, viewLowLabel("* required"))
	return f
}

func wholeJSONForm(note string) *schemaForm {
	e := widget.NewMultiLineEntry()
	e.SetText("{}")
	e.SetMinRowsVisible(5)
	return &schemaForm{whole: e, content: container.NewVBox(viewLowLabel(note), e)}
}

// propertyOrder lists the required properties first, in the schema's
// order, then the others by name.
func propertyOrder(s schemaNode) []string {
	var out []string
	for _, r := range s.Required {
		if _, ok := s.Properties[r]; ok && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	rest := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		if !slices.Contains(out, name) {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	return append(out, rest...)
}

// schemaType is the property's single type; "" for a union or none. A
// nullable type (["string", "null"]) counts as its non-null part.
func schemaType(raw json.RawMessage) string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return one
	}
	var many []string
	if json.Unmarshal(raw, &many) != nil {
		return ""
	}
	var kept []string
	for _, t := range many {
		if t != "null" {
			kept = append(kept, t)
		}
	}
	if len(kept) == 1 {
		return kept[0]
	}
	return ""
}

func newSchemaField(name string, required bool, p schemaNode) *schemaField {
	f := &schemaField{name: name, required: required}
	typ := schemaType(p.Type)
	switch {
	case len(p.Enum) > 0:
		f.kind, f.enum = schemaKindEnum, map[string]any{}
		var opts []string
		for _, v := range p.Enum {
			text := schemaEnumText(v)
			f.enum[text] = v
			opts = append(opts, text)
		}
		f.choice = widget.NewSelect(opts, nil)
		if p.Default != nil {
			f.choice.SetSelected(schemaEnumText(p.Default))
		}
	case typ == "boolean":
		f.kind = schemaKindBool
		f.boolDef, _ = p.Default.(bool)
		f.check = widget.NewCheck("", nil)
		f.check.SetChecked(f.boolDef)
	case typ == "string" || typ == "integer" || typ == "number":
		f.kind = map[string]schemaFieldKind{"string": schemaKindString, "integer": schemaKindInteger, "number": schemaKindNumber}[typ]
		f.entry = widget.NewEntry()
		if p.Default != nil {
			f.entry.SetPlaceHolder("default: " + schemaEnumText(p.Default))
		}
	default:
		f.kind = schemaKindJSON
		f.entry = widget.NewMultiLineEntry()
		f.entry.SetMinRowsVisible(2)
		f.entry.SetPlaceHolder(schemaJSONHint(typ))
	}
	return f
}

func schemaEnumText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func schemaJSONHint(typ string) string {
	switch typ {
	case "array":
		return `JSON array, e.g. ["a", "b"]`
	case "object":
		return `JSON object, e.g. {"key": "value"}`
	}
	return "JSON value"
}

func (f *schemaField) widget() fyne.CanvasObject {
	switch f.kind {
	case schemaKindBool:
		return f.check
	case schemaKindEnum:
		return f.choice
	}
	return f.entry
}

func (f *schemaField) hint(p schemaNode) string {
	h := p.Description
	switch f.kind {
	case schemaKindInteger:
		h = strings.TrimSpace(h + " (whole number)")
	case schemaKindNumber:
		h = strings.TrimSpace(h + " (number)")
	case schemaKindJSON:
		h = strings.TrimSpace(h + " (JSON)")
	}
	return h
}

// args reads the form into call arguments, or says what is wrong with it.
func (f *schemaForm) args() (map[string]any, error) {
	if f.whole != nil {
		args := map[string]any{}
		if err := json.Unmarshal([]byte(f.whole.Text), &args); err != nil {
			return nil, fmt.Errorf("the arguments are not a JSON object: %v", err)
		}
		return args, nil
	}
	args := map[string]any{}
	var problems []string
	for _, fld := range f.fields {
		v, set, err := fld.value()
		switch {
		case err != nil:
			problems = append(problems, fld.name+": "+err.Error())
		case !set && fld.required:
			problems = append(problems, fld.name+": required")
		case set:
			args[fld.name] = v
		}
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	return args, nil
}

// value reads one field; set is false when it was left empty.
func (f *schemaField) value() (v any, set bool, err error) {
	switch f.kind {
	case schemaKindBool:
		// Unchecked is "false" only when it differs from the default.
		return f.check.Checked, f.required || f.check.Checked != f.boolDef, nil
	case schemaKindEnum:
		if f.choice.Selected == "" {
			return nil, false, nil
		}
		return f.enum[f.choice.Selected], true, nil
	}
	text := strings.TrimSpace(f.entry.Text)
	if text == "" {
		return nil, false, nil
	}
	switch f.kind {
	case schemaKindInteger:
		i, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return nil, false, fmt.Errorf("%q is not a whole number", text)
		}
		return i, true, nil
	case schemaKindNumber:
		x, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, false, fmt.Errorf("%q is not a number", text)
		}
		return x, true, nil
	case schemaKindJSON:
		var x any
		if err := json.Unmarshal([]byte(text), &x); err != nil {
			return nil, false, fmt.Errorf("not valid JSON: %v", err)
		}
		return x, true, nil
	}
	return f.entry.Text, true, nil // strings are sent as typed
}

// field returns the field called name, or nil.
func (f *schemaForm) field(name string) *schemaField {
	for _, fld := range f.fields {
		if fld.name == name {
			return fld
		}
	}
	return nil
}
