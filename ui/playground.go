package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/mcplex/mcplex/app"
)

// ShowPlayground opens the routing playground.
func (s *Shell) ShowPlayground() {
	w := s.window("playground", "MCPlex routing playground", func(fyne.Window) fyne.CanvasObject {
		v := newPlaygroundView(s.ctrl)
		return newViewPane(v, v.content)
	})
	w.Show()
}

// strategyConfigured is the strategy choice that passes "" to Find.
const strategyConfigured = "configured"

// playgroundView ranks the catalog for a query and calls a chosen tool
// with arguments entered in a form built from its input schema.
type playgroundView struct {
	ctrl    app.Controller
	jobs    viewJobs
	content fyne.CanvasObject

	query     *widget.Entry
	strategy  *widget.Select
	topK      *widget.Entry
	search    *widget.Button
	searchMsg *widget.Label
	searchErr *widget.Label
	top       *fyne.Container

	matches     []app.Match
	results     *widget.Table
	resultsNote *viewEmptyNote

	tool       *app.Match // the selected match, nil when none
	toolRow    int        // its row, -1 when none
	detail     *fyne.Container
	noTool     *widget.Label
	toolTitle  *widget.Label
	toolDesc   *widget.Label
	schemaText *widget.Label
	form       *schemaForm
	formBox    *fyne.Container
	callBox    *fyne.Container

	call, cancel *widget.Button
	progress     *widget.ProgressBarInfinite
	callErr      *widget.Label
	resultMsg    *widget.Label
	resultText   *widget.Label
	rawText      *widget.Label
	stopCall     context.CancelFunc // cancels the call in flight, if any
}

func newPlaygroundView(ctrl app.Controller) *playgroundView {
	v := &playgroundView{ctrl: ctrl, toolRow: -1, searchMsg: widget.NewLabel(""), searchErr: newViewErrorText()}
	v.query = widget.NewEntry()
	v.query.SetPlaceHolder("What should the agent do? e.g. read a file")
	v.query.OnSubmitted = func(string) { v.doSearch() }
	v.strategy = widget.NewSelect([]string{strategyConfigured, app.StrategySemantic, app.StrategyKeyword, app.StrategyPassthrough}, nil)
	v.strategy.SetSelected(strategyConfigured)
	v.topK = widget.NewEntry()
	v.topK.SetPlaceHolder("top_k")
	v.search = widget.NewButton("Search", v.doSearch)
	v.search.Importance = widget.HighImportance
	controls := container.NewHBox(v.strategy, container.NewGridWrap(fyne.NewSize(90, v.topK.MinSize().Height), v.topK), v.search)
	v.top = container.NewVBox(container.NewBorder(nil, nil, nil, controls, v.query), v.searchErr, v.searchMsg)

	// Description takes the width the others leave: at least 160, which
	// fits half of a 1280-wide window.
	widths := []float32{60, 180, 110, 160}
	v.results = newViewTable([]string{"Score", "Tool", "Server", "Description"}, widths,
		func() int { return len(v.matches) }, v.matchCell)
	v.results.OnSelected = func(id widget.TableCellID) {
		if id.Row != v.toolRow { // another cell of the same row keeps the form
			v.selectMatch(id.Row)
		}
	}
	v.resultsNote = newViewEmptyState(newViewFillTable(v.results, widths), "Type a query and press Search.")

	split := container.NewHSplit(v.resultsNote.box, v.buildDetail())
	split.SetOffset(0.5)
	v.content = container.NewBorder(v.top, nil, nil, nil, split)
	return v
}

// buildDetail builds the right-hand side: the selected tool, its form,
// and the result of the last call.
func (v *playgroundView) buildDetail() fyne.CanvasObject {
	v.toolTitle = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.toolDesc = widget.NewLabel("")
	v.toolDesc.Wrapping = fyne.TextWrapWord
	v.schemaText = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	v.formBox = container.NewStack()
	v.call = widget.NewButton("Call", v.doCall)
	v.call.Importance = widget.HighImportance
	v.cancel = widget.NewButton("Cancel", v.doCancel)
	v.cancel.Disable()
	v.progress = widget.NewProgressBarInfinite()
	v.progress.Stop()
	v.progress.Hide()
	v.callErr = newViewErrorText()
	v.resultMsg = widget.NewLabel("")
	v.callBox = container.NewVBox(container.NewHBox(v.call, v.cancel, v.resultMsg), v.progress, v.callErr)
	top := container.NewVScroll(container.NewVBox(v.toolTitle, v.toolDesc,
		widget.NewAccordion(widget.NewAccordionItem("Input schema", v.schemaText)), v.formBox))

	v.resultText = widget.NewLabel("")
	v.resultText.Wrapping = fyne.TextWrapWord
	v.rawText = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
	tabs := container.NewAppTabs(
		container.NewTabItem("Result", container.NewVScroll(v.resultText)),
		container.NewTabItem("Raw JSON", container.NewScroll(v.rawText)))
	split := container.NewVSplit(top, container.NewBorder(v.callBox, nil, nil, nil, tabs))
	split.SetOffset(0.6)
	v.detail = container.NewStack(split)
	v.detail.Hide()
	v.noTool = newMutedLabel("Select a tool to see its schema and call it.")
	return container.NewStack(container.NewCenter(v.noTool), v.detail)
}

func (v *playgroundView) matchCell(row, col int) string {
	m := v.matches[row]
	switch col {
	case 0:
		return strconv.FormatFloat(m.Score, 'f', 3, 64)
	case 1:
		return m.Name
	case 2:
		return m.Server
	default:
		return m.Description
	}
}

func (v *playgroundView) doSearch() {
	q := strings.TrimSpace(v.query.Text)
	k, err := optionalTopK(v.topK.Text)
	switch {
	case q == "":
		showViewError(v.searchErr, "Type a query first.")
	case err != nil:
		showViewError(v.searchErr, err.Error())
	default:
		strategy := v.strategy.Selected
		if strategy == strategyConfigured {
			strategy = ""
		}
		v.searchFor(q, strategy, k)
		return
	}
	v.top.Refresh()
}

func optionalTopK(text string) (int, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0, nil
	}
	k, err := strconv.Atoi(text)
	if err != nil || k < 1 {
		return 0, fmt.Errorf("top_k: %q is not a whole number of at least 1 (leave it empty for the configured one)", text)
	}
	return k, nil
}

func (v *playgroundView) searchFor(q, strategy string, k int) {
	v.search.Disable()
	showViewError(v.searchErr, "")
	v.searchMsg.SetText("Searching…")
	v.top.Refresh()
	v.jobs.Go(func() {
		ctx, cancel := viewCtrlContext()
		defer cancel()
		ms, err := v.ctrl.Find(ctx, q, strategy, k)
		fyne.Do(func() { v.found(q, ms, err) })
	})
}

func (v *playgroundView) found(q string, ms []app.Match, err error) {
	defer v.top.Refresh()
	v.search.Enable()
	v.results.UnselectAll()
	v.selectMatch(-1)
	v.matches = nil
	if err != nil {
		v.searchMsg.SetText("")
		showViewError(v.searchErr, "Search failed: "+err.Error())
	} else {
		v.matches = ms
		v.searchMsg.SetText(fmt.Sprintf("%s for %q", viewCount(len(ms), "tool"), q))
	}
	v.results.Refresh()
	v.resultsNote.label.SetText("No tool matches the query.")
	v.resultsNote.set(len(v.matches) == 0)
}

// selectMatch shows match i (or nothing, for i < 0) and builds its form.
func (v *playgroundView) selectMatch(i int) {
	v.toolRow = i
	if i < 0 || i >= len(v.matches) {
		v.tool, v.toolRow = nil, -1
		v.detail.Hide()
		v.noTool.Show()
		return
	}
	m := v.matches[i]
	v.tool = &m
	v.toolTitle.SetText(fmt.Sprintf("%s  (%s)", m.Name, m.ID))
	v.toolDesc.SetText(m.Description)
	v.schemaText.SetText(indentJSON(m.InputSchema))
	v.form = buildSchemaForm(m.InputSchema)
	v.formBox.Objects = []fyne.CanvasObject{v.form.content}
	showViewError(v.callErr, "")
	v.noTool.Hide()
	v.detail.Show()
	v.detail.Refresh()
}

func indentJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "(no input schema)"
	}
	var b bytes.Buffer
	if json.Indent(&b, raw, "", "  ") != nil {
		return string(raw)
	}
	return b.String()
}

func (v *playgroundView) doCall() {
	if v.tool == nil || v.stopCall != nil {
		return
	}
	args, err := v.form.args()
	if err != nil {
		showViewError(v.callErr, "Not called: "+err.Error())
		v.callBox.Refresh()
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	v.stopCall = cancel
	v.setCalling(true)
	v.resultMsg.Importance = widget.MediumImportance
	v.resultMsg.SetText("Calling " + v.tool.Name + "…")
	v.callBox.Refresh()
	name := v.tool.Name
	v.jobs.Go(func() {
		res, err := v.ctrl.Call(ctx, name, args)
		cancelled := ctx.Err() != nil
		cancel()
		fyne.Do(func() { v.called(name, res, err, cancelled) })
	})
}

func (v *playgroundView) doCancel() {
	if v.stopCall == nil {
		return
	}
	v.resultMsg.SetText("Cancelling…")
	v.callBox.Refresh()
	v.stopCall() // last: the call's goroutine takes over the widgets from here
}

func (v *playgroundView) setCalling(on bool) {
	if on {
		v.call.Disable()
		v.cancel.Enable()
		v.progress.Show()
		v.progress.Start()
		showViewError(v.callErr, "")
	} else {
		v.stopCall = nil
		v.call.Enable()
		v.cancel.Disable()
		v.progress.Stop()
		v.progress.Hide()
	}
	v.callBox.Refresh()
}

func (v *playgroundView) called(name string, res app.CallResult, err error, cancelled bool) {
	v.setCalling(false)
	switch {
	case cancelled:
		v.resultMsg.Importance = widget.WarningImportance
		v.resultMsg.SetText(name + ": call cancelled.")
	case err != nil:
		v.resultMsg.Importance = widget.DangerImportance
		v.resultMsg.SetText(name + ": the call failed.")
		showViewError(v.callErr, err.Error())
		v.callBox.Refresh()
	case res.IsError:
		v.resultMsg.Importance = widget.DangerImportance
		v.resultMsg.SetText(fmt.Sprintf("%s returned an error · %s", name, viewMs(res.Latency)))
	default:
		v.resultMsg.Importance = widget.SuccessImportance
		v.resultMsg.SetText(fmt.Sprintf("%s succeeded · %s", name, viewMs(res.Latency)))
	}
	v.resultText.SetText(res.Text)
	v.rawText.SetText(res.Raw)
	v.resultMsg.Refresh()
	v.callBox.Refresh()
}

// viewCount is "1 tool", "3 tools".
func viewCount(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// viewMs shows a latency in milliseconds: "42 ms", "0.4 ms".
func viewMs(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	if ms < 10 {
		return strconv.FormatFloat(ms, 'f', 1, 64) + " ms"
	}
	return strconv.FormatFloat(ms, 'f', 0, 64) + " ms"
}

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

// viewLowLabel is a wrapping note in the muted style of newMutedLabel.
func viewLowLabel(text string) *widget.Label {
	l := newMutedLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
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
