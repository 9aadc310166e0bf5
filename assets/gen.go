//go:build ignore

// gen draws MCPlex's icons: the state glyphs as SVG (one color, so Fyne can
// theme them and macOS can use them as template images) and, from the same
// shapes, the colored tray icons and the 512x512 app icon as PNG.
//
// Run it from this directory: go generate (or go run gen.go).
package main

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"log"
	"math"
	"os"
	"strings"

	"github.com/fyne-io/oksvg"
	"github.com/srwiley/rasterx"
)

// The glyph is a hub linked to three servers, on a 24x24 grid.
type node struct{ x, y, r float64 }

var (
	hub  = node{12, 13.2, 3.7}
	sats = []node{{12, 3.9, 2.7}, {4.3, 18.6, 2.7}, {19.7, 18.6, 2.7}}
)

const (
	linkWidth = 2.0
	ringWidth = 1.6
)

// glyph returns the SVG elements of a state's glyph, scaled by k and moved
// by (dx, dy), in color fill. up reports which servers are linked (filled);
// hubUp fills the hub.
func glyph(fill string, k, dx, dy float64, hubUp bool, up []bool) string {
	var b strings.Builder
	for i, s := range sats {
		if up[i] && hubUp {
			b.WriteString(link(fill, hub, s, k, dx, dy))
		}
	}
	b.WriteString(disc(fill, hub, hubUp, k, dx, dy))
	for i, s := range sats {
		b.WriteString(disc(fill, s, up[i], k, dx, dy))
	}
	return b.String()
}

// link is a bar from a's center to b's center (the discs cover its ends).
func link(fill string, a, b node, k, dx, dy float64) string {
	vx, vy := b.x-a.x, b.y-a.y
	l := math.Hypot(vx, vy)
	px, py := -vy/l*linkWidth/2, vx/l*linkWidth/2
	pt := func(x, y float64) string { return fmt.Sprintf("%.3f,%.3f", x*k+dx, y*k+dy) }
	return fmt.Sprintf(`<polygon fill="%s" points="%s %s %s %s"/>`, fill,
		pt(a.x+px, a.y+py), pt(b.x+px, b.y+py), pt(b.x-px, b.y-py), pt(a.x-px, a.y-py))
}

// disc is a filled circle, or a ring when it is not filled. The ring is two
// sub-paths wound in opposite directions, so it has a hole under any fill
// rule (Fyne's recoloring keeps only fill).
func disc(fill string, n node, filled bool, k, dx, dy float64) string {
	cx, cy, r := n.x*k+dx, n.y*k+dy, n.r*k
	if filled {
		return fmt.Sprintf(`<circle fill="%s" cx="%.3f" cy="%.3f" r="%.3f"/>`, fill, cx, cy, r)
	}
	in := r - ringWidth*k
	return fmt.Sprintf(`<path fill="%s" d="%s %s"/>`, fill, circlePath(cx, cy, r, 0), circlePath(cx, cy, in, 1))
}

func circlePath(cx, cy, r float64, sweep int) string {
	return fmt.Sprintf("M%.3f,%.3f A%.3f,%.3f 0 1,%d %.3f,%.3f A%.3f,%.3f 0 1,%d %.3f,%.3f Z",
		cx-r, cy, r, r, sweep, cx+r, cy, r, r, sweep, cx-r, cy)
}

type state struct {
	name  string
	color string // tray background
	hubUp bool
	up    []bool
}

var states = []state{
	{"running", "#1E9E4A", true, []bool{true, true, true}},
	{"degraded", "#D98200", true, []bool{true, true, false}},
	{"stopped", "#737A85", false, []bool{false, false, false}},
}

func svg(size float64, body string) string {
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g">%s</svg>`+"\n",
		size, size, size, size, body)
}

func main() {
	for _, s := range states {
		// The one-color glyph: themed in windows, a template image on macOS.
		write("glyph-"+s.name+".svg", []byte(svg(24, glyph("#000000", 1, 0, 0, s.hubUp, s.up))))
		// The tray icon for panels that show colors: the glyph in white on a
		// rounded square of the state's color, readable on light and dark panels.
		const k = 0.78 // glyph scale inside the square
		off := 12 - 12*k
		body := fmt.Sprintf(`<rect fill="%s" x="0.5" y="0.5" width="23" height="23" rx="5" ry="5"/>`, s.color) +
			glyph("#FFFFFF", k, off, off-0.3, s.hubUp, s.up)
		write("tray-"+s.name+".png", raster(svg(24, body), 64))
	}
	// The app icon: the running glyph on an indigo-to-sky square.
	icon := `<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">` +
		`<stop offset="0" stop-color="#4338CA"/><stop offset="1" stop-color="#0284C7"/></linearGradient></defs>` +
		`<rect fill="url(#bg)" x="16" y="16" width="480" height="480" rx="108" ry="108"/>` +
		glyph("#FFFFFF", 14.5, 256-12*14.5, 256-12.6*14.5, true, []bool{true, true, true})
	src := svg(512, icon)
	write("icon.svg", []byte(src))
	write("Icon.png", raster(src, 512))
}

func raster(src string, size int) []byte {
	icon, err := oksvg.ReadIconStream(strings.NewReader(src))
	if err != nil {
		log.Fatal(err)
	}
	icon.SetTarget(0, 0, float64(size), float64(size))
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	scanner := rasterx.NewScannerGV(size, size, img, img.Bounds())
	icon.Draw(rasterx.NewDasher(size, size, scanner), 1)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		log.Fatal(err)
	}
	return buf.Bytes()
}

func write(name string, data []byte) {
	if err := os.WriteFile(name, data, 0o644); err != nil {
		log.Fatal(err)
	}
}
