package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

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
		v.searchMsg.SetText(fmt.Sprintf("%s for %q", nounCount(len(ms), "tool"), q))
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
