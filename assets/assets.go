// Package assets holds MCPlex's icons, embedded in the binary. It has no
// Fyne dependency: ui wraps the bytes as Fyne resources.
//
// The files are drawn by gen.go (go generate): a hub linked to three
// servers. Running links every server, degraded shows one server cut off,
// stopped shows every node hollow and unlinked, so the state reads from the
// shape alone, not only from the color.
package assets

import _ "embed"

//go:generate go run gen.go

// AppIcon is the 512x512 application icon (also FyneApp.toml's Icon).
//
//go:embed Icon.png
var AppIcon []byte

// The tray icons for panels that show colors (Linux, Windows): the glyph in
// white on a rounded square of the state's color, 64x64 PNG (the tray
// protocols take bitmaps, not SVG).
var (
	//go:embed tray-running.png
	TrayRunning []byte
	//go:embed tray-degraded.png
	TrayDegraded []byte
	//go:embed tray-stopped.png
	TrayStopped []byte
)

// The state glyphs in one color (black on transparent, 24x24 SVG): themed
// in the windows, and template images in the macOS menu bar.
var (
	//go:embed glyph-running.svg
	GlyphRunning []byte
	//go:embed glyph-degraded.svg
	GlyphDegraded []byte
	//go:embed glyph-stopped.svg
	GlyphStopped []byte
)
