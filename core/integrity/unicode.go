package integrity

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Character classes the scanner reports. A model reads these characters;
// a human reviewing the tool in a UI or terminal does not see them.
const (
	classZeroWidth = "zero-width"
	classBidi      = "bidi control"
	classTag       = "tag"
	classVariation = "variation selector"
	classFormat    = "invisible format"
	classControl   = "control"
)

// hiddenClass returns the class of r if r is a hidden character, or "".
// It does not look at context; see flagged for the exemptions.
func hiddenClass(r rune) string {
	switch {
	case r >= 0x200B && r <= 0x200F, r >= 0x2060 && r <= 0x2064, r == 0xFEFF:
		return classZeroWidth
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x061C:
		return classBidi
	case r >= 0xE0000 && r <= 0xE007F:
		return classTag
	case r >= 0xE0100 && r <= 0xE01EF, r >= 0xFE00 && r <= 0xFE0F:
		return classVariation
	case r == 0x00AD, r == 0x034F, r == 0x180E, r == 0x115F, r == 0x1160,
		r == 0x3164, r == 0xFFA0, r >= 0xFFF9 && r <= 0xFFFB:
		return classFormat
	case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r >= 0x7F && r <= 0x9F:
		return classControl
	}
	return ""
}

// isEmoji is a loose test for pictographic runes, enough to recognise
// legitimate emoji ZWJ sequences and variation selectors.
func isEmoji(r rune) bool {
	return r >= 0x1F000 && r <= 0x1FAFF || r >= 0x2190 && r <= 0x2BFF ||
		r == 0xFE0F || r == 0x20E3 || unicode.Is(unicode.So, r)
}

// isScriptJoinable reports whether r is a non-ASCII letter or mark, the
// context in which ZWJ/ZWNJ shape Arabic, Persian and Indic text.
func isScriptJoinable(r rune) bool {
	return r >= 0x80 && (unicode.IsLetter(r) || unicode.Is(unicode.M, r))
}

// flagged returns, for each rune of rs, the class under which it is
// reported, or "" if it is visible or a legitimate use of an invisible
// character:
//   - ZWJ (U+200D) inside an emoji sequence, ZWJ/ZWNJ between non-ASCII
//     letters or marks;
//   - one variation selector U+FE00..U+FE0F after a visible character
//     (U+FE0F after an emoji is everywhere: "⚠️");
//   - tag characters forming an emoji subdivision flag: U+1F3F4, 1 to 6
//     tags for [0-9a-z], CANCEL TAG (U+E007F).
//
// Runs of variation selectors (used to smuggle bytes), tags outside a flag,
// and supplementary variation selectors are always flagged.
func flagged(rs []rune) []string {
	out := make([]string, len(rs))
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		c := hiddenClass(r)
		if c == "" {
			continue
		}
		prev, next := rune(0), rune(0)
		if i > 0 {
			prev = rs[i-1]
		}
		if i+1 < len(rs) {
			next = rs[i+1]
		}
		switch {
		case r == 0x200D && isEmoji(prev) && isEmoji(next):
			continue
		case (r == 0x200C || r == 0x200D) && isScriptJoinable(prev) && isScriptJoinable(next):
			continue
		case r >= 0xFE00 && r <= 0xFE0F && i > 0 && hiddenClass(prev) == "" && !unicode.IsSpace(prev):
			continue
		case c == classTag:
			if n := flagTagRun(rs, i); n > 0 {
				i += n - 1
				continue
			}
		}
		out[i] = c
	}
	return out
}

// flagTagRun returns the length of the emoji subdivision flag tag sequence
// starting at rs[i] (after U+1F3F4), or 0.
func flagTagRun(rs []rune, i int) int {
	if i == 0 || rs[i-1] != 0x1F3F4 {
		return 0
	}
	for n := 0; i+n < len(rs) && n <= 6; n++ {
		r := rs[i+n]
		if r == 0xE007F {
			if n == 0 {
				return 0
			}
			return n + 1
		}
		if !(r >= 0xE0030 && r <= 0xE0039 || r >= 0xE0061 && r <= 0xE007A) {
			return 0
		}
	}
	return 0
}

// tagText decodes a tag character to the ASCII character it shadows, or
// returns false for LANGUAGE TAG, CANCEL TAG and unassigned tags.
func tagText(r rune) (byte, bool) {
	if r >= 0xE0020 && r <= 0xE007E {
		return byte(r - 0xE0000), true
	}
	return 0, false
}

// invisibleSummary describes the flagged characters in s ("" if none):
// counts per code point and the decoded text of every tag run, e.g.
// `U+200B (zero-width) x1; tag text "IGNORE" (6 tags)`.
func invisibleSummary(s string) string {
	rs := []rune(s)
	fl := flagged(rs)
	counts := map[rune]int{}
	class := map[rune]string{}
	var order []rune
	var tags []string
	for i := 0; i < len(rs); i++ {
		if fl[i] == "" {
			continue
		}
		if fl[i] == classTag {
			j := i
			var b strings.Builder
			for j < len(rs) && fl[j] == classTag {
				if c, ok := tagText(rs[j]); ok {
					b.WriteByte(c)
				} else {
					fmt.Fprintf(&b, "\\U%08X", rs[j])
				}
				j++
			}
			tags = append(tags, fmt.Sprintf("tag text %q (%d tags)", b.String(), j-i))
			i = j - 1
			continue
		}
		if counts[rs[i]] == 0 {
			order = append(order, rs[i])
			class[rs[i]] = fl[i]
		}
		counts[rs[i]]++
	}
	var parts []string
	for _, r := range order {
		parts = append(parts, fmt.Sprintf("U+%04X (%s) x%d", r, class[r], counts[r]))
	}
	parts = append(parts, tags...)
	return strings.Join(parts, "; ")
}

// Escape returns s with every hidden character made visible, for admin
// output (logs, CLI, dashboard): zero-width, bidi, format and control
// characters and variation selectors become \uXXXX (\UXXXXXXXX above the
// BMP), a run of tag characters becomes <TAG:text> with the ASCII it
// shadows, and invalid UTF-8 bytes become \xHH. Unlike the scanner, Escape
// has no exemptions: an emoji's ZWJ is shown too. Newlines and tabs are
// kept. Backslashes are not doubled, so Escape is for display, not a
// reversible encoding.
func Escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case hiddenClass(r) == classTag:
			b.WriteString("<TAG:")
			for i < len(s) {
				r, n = utf8.DecodeRuneInString(s[i:])
				if hiddenClass(r) != classTag {
					break
				}
				if c, ok := tagText(r); ok {
					b.WriteByte(c)
				} else {
					fmt.Fprintf(&b, "\\U%08x", r)
				}
				i += n
			}
			b.WriteString(">")
			continue
		case hiddenClass(r) != "":
			if r > 0xFFFF {
				fmt.Fprintf(&b, "\\U%08x", r)
			} else {
				fmt.Fprintf(&b, "\\u%04x", r)
			}
		default:
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

// StripInvisible removes the hidden characters the scanner flags (keeping
// legitimate emoji and script joiners), for gateways configured to strip
// rather than hide a poisoned tool.
func StripInvisible(s string) string {
	rs := []rune(s)
	fl := flagged(rs)
	var b strings.Builder
	for i, r := range rs {
		if fl[i] == "" {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// reveal returns the text a model effectively reads: tag characters
// replaced by the ASCII they shadow and every other hidden character
// removed (so "<IMP\u200bORTANT>" matches the markup rule).
func reveal(s string) string {
	var b strings.Builder
	for _, r := range s {
		if c, ok := tagText(r); ok {
			b.WriteByte(c)
			continue
		}
		if hiddenClass(r) != "" {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
