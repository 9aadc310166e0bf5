package ui

import (
	"math"
	"strconv"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// seriesChart is a small line chart of one series of evenly spaced
// samples, oldest first, drawn with canvas primitives: a title, a y axis
// from 0 to a round maximum, the time the samples span on the x axis, and
// a line of text instead of the line when there is nothing to draw.
type seriesChart struct {
	widget.BaseWidget
	title string
	empty string // shown when there is no data, or all of it is 0

	values []float64
	span   time.Duration
}

func newSeriesChart(title, empty string) *seriesChart {
	c := &seriesChart{title: title, empty: empty}
	c.ExtendBaseWidget(c)
	return c
}

// SetData replaces the samples; span is the time they cover. Call it on the
// UI goroutine.
func (c *seriesChart) SetData(values []float64, span time.Duration) {
	c.values = append(c.values[:0], values...)
	c.span = span
	c.Refresh()
}

// hasData reports whether the chart draws a line.
func (c *seriesChart) hasData() bool {
	if len(c.values) < 2 {
		return false
	}
	for _, v := range c.values {
		if v > 0 {
			return true
		}
	}
	return false
}

// CreateRenderer implements fyne.Widget.
func (c *seriesChart) CreateRenderer() fyne.WidgetRenderer {
	text := func(size float32) *canvas.Text {
		t := canvas.NewText("", nil)
		t.TextSize = size
		return t
	}
	r := &chartRenderer{chart: c,
		bg:    canvas.NewRectangle(nil),
		title: text(theme.TextSize()),
		yMax:  text(theme.CaptionTextSize()), yMid: text(theme.CaptionTextSize()), yZero: text(theme.CaptionTextSize()),
		xFrom: text(theme.CaptionTextSize()), xTo: text(theme.CaptionTextSize()),
		empty: text(theme.TextSize()),
		xAxis: canvas.NewLine(nil), yAxis: canvas.NewLine(nil),
		gridMax: canvas.NewLine(nil), gridMid: canvas.NewLine(nil),
	}
	r.title.TextStyle.Bold = true
	r.empty.Alignment = fyne.TextAlignCenter
	r.empty.TextStyle.Italic = true // muted as newMutedLabel
	r.yMax.Alignment, r.yMid.Alignment, r.yZero.Alignment = fyne.TextAlignTrailing, fyne.TextAlignTrailing, fyne.TextAlignTrailing
	r.xTo.Alignment = fyne.TextAlignTrailing
	r.update()
	return r
}

type chartRenderer struct {
	chart *seriesChart

	bg                                   *canvas.Rectangle
	title, yMax, yMid, yZero, xFrom, xTo *canvas.Text
	empty                                *canvas.Text
	xAxis, yAxis, gridMax, gridMid       *canvas.Line
	segments                             []*canvas.Line
	top                                  float64 // the y axis maximum
}

// chartMinSize keeps a chart legible however the window is laid out.
var chartMinSize = fyne.NewSize(260, 150)

func (r *chartRenderer) MinSize() fyne.Size { return chartMinSize }

func (r *chartRenderer) Destroy() {}

func (r *chartRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.bg, r.gridMax, r.gridMid, r.xAxis, r.yAxis,
		r.title, r.yMax, r.yMid, r.yZero, r.xFrom, r.xTo, r.empty}
	for _, s := range r.segments {
		objs = append(objs, s)
	}
	return objs
}

func (r *chartRenderer) Refresh() {
	r.update()
	r.Layout(r.chart.Size())
	canvas.Refresh(r.chart)
}

// update sets the texts and the number of line segments from the data.
func (r *chartRenderer) update() {
	c := r.chart
	r.title.Text = c.title
	r.top = chartCeiling(chartMax(c.values))
	r.yMax.Text, r.yMid.Text, r.yZero.Text = chartAxisLabel(r.top), chartAxisLabel(r.top/2), "0"
	r.xFrom.Text, r.xTo.Text = chartSpanLabel(c.span), "now"
	r.empty.Text = ""
	n := 0
	if c.hasData() {
		n = len(c.values) - 1
	} else {
		r.empty.Text = c.empty
	}
	for len(r.segments) < n {
		l := canvas.NewLine(nil)
		l.StrokeWidth = 2
		r.segments = append(r.segments, l)
	}
	r.segments = r.segments[:n]
	r.restyle()
}

// restyle takes the colours from the current theme (it may have changed).
func (r *chartRenderer) restyle() {
	th := r.chart.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	fg := th.Color(theme.ColorNameForeground, v)
	r.bg.FillColor = th.Color(theme.ColorNameInputBackground, v)
	for _, t := range []*canvas.Text{r.title, r.yMax, r.yMid, r.yZero, r.xFrom, r.xTo} {
		t.Color = fg
	}
	r.empty.Color = fg // the placeholder color is 3.2:1 on the light theme's input background
	r.xAxis.StrokeColor = th.Color(theme.ColorNameDisabled, v)
	r.yAxis.StrokeColor = r.xAxis.StrokeColor
	r.gridMax.StrokeColor = th.Color(theme.ColorNameSeparator, v)
	r.gridMid.StrokeColor = r.gridMax.StrokeColor
	for _, s := range r.segments {
		s.StrokeColor = th.Color(theme.ColorNamePrimary, v)
	}
}

// Layout places the plot area between the y labels on the left, the title
// above and the x labels below, then draws the line in it.
func (r *chartRenderer) Layout(size fyne.Size) {
	pad := theme.Padding()
	r.bg.Resize(size)
	titleH := r.title.MinSize().Height
	r.title.Move(fyne.NewPos(pad, pad))
	r.title.Resize(fyne.NewSize(size.Width-2*pad, titleH))

	labelW := max(r.yMax.MinSize().Width, r.yMid.MinSize().Width, r.yZero.MinSize().Width)
	capH := r.xFrom.MinSize().Height
	left, top := pad+labelW+pad, pad+titleH+pad+capH/2
	right, bottom := size.Width-2*pad, size.Height-pad-capH-pad
	if right <= left || bottom <= top {
		return
	}
	yLabel := func(t *canvas.Text, y float32) {
		t.Move(fyne.NewPos(pad, y-capH/2))
		t.Resize(fyne.NewSize(labelW, capH))
	}
	yLabel(r.yMax, top)
	yLabel(r.yMid, (top+bottom)/2)
	yLabel(r.yZero, bottom)
	chartLine(r.gridMax, left, top, right, top)
	chartLine(r.gridMid, left, (top+bottom)/2, right, (top+bottom)/2)
	chartLine(r.xAxis, left, bottom, right, bottom)
	chartLine(r.yAxis, left, top, left, bottom)
	r.xFrom.Move(fyne.NewPos(left, bottom+pad))
	r.xFrom.Resize(fyne.NewSize((right-left)/2, capH))
	r.xTo.Move(fyne.NewPos((left+right)/2, bottom+pad))
	r.xTo.Resize(fyne.NewSize((right-left)/2, capH))
	// The note sits between the top and the middle grid lines, not across one.
	r.empty.Move(fyne.NewPos(left, (3*top+bottom)/4-r.empty.MinSize().Height/2))
	r.empty.Resize(fyne.NewSize(right-left, r.empty.MinSize().Height))

	vals := r.chart.values
	point := func(i int) (float32, float32) {
		x := left + (right-left)*float32(i)/float32(len(vals)-1)
		return x, bottom - (bottom-top)*float32(vals[i]/r.top)
	}
	for i, seg := range r.segments {
		x1, y1 := point(i)
		x2, y2 := point(i + 1)
		chartLine(seg, x1, y1, x2, y2)
	}
}

func chartLine(l *canvas.Line, x1, y1, x2, y2 float32) {
	l.Position1, l.Position2 = fyne.NewPos(x1, y1), fyne.NewPos(x2, y2)
}

func chartMax(vals []float64) float64 {
	m := 0.0
	for _, v := range vals {
		if v > m && !math.IsInf(v, 1) {
			m = v
		}
	}
	return m
}

// chartCeiling rounds v up to 1, 2 or 5 times a power of ten (1 for v <= 0),
// so the axis reads in round numbers.
func chartCeiling(v float64) float64 {
	if v <= 0 || math.IsNaN(v) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func chartAxisLabel(v float64) string {
	if v >= 10 || v == math.Trunc(v) {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 2, 64)
}

// chartSpanLabel names the start of the x axis: "-10 min", "-45 s".
func chartSpanLabel(d time.Duration) string {
	switch {
	case d <= 0:
		return ""
	case d < time.Minute:
		return "-" + strconv.Itoa(int(d.Round(time.Second)/time.Second)) + " s"
	default:
		return "-" + strconv.Itoa(int(d.Round(time.Minute)/time.Minute)) + " min"
	}
}
