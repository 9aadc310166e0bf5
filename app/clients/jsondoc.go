package clients

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/tailscale/hujson"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// jsonDoc edits one server entry of a JSON or JSONC file and keeps every
// other byte: the edits splice members into hujson's exact syntax tree and
// format only the text they add, in the file's own indentation and line
// endings.
type jsonDoc struct {
	path      string
	container string
	bom       bool
	root      hujson.Value
	nl        string // "\n" or "\r\n", as the file uses
	indent    string // one level, as the file uses
	created   bool   // set added the container
}

// parseJSONDoc parses data. strict refuses comments and trailing commas. An
// empty file counts as an empty object.
func parseJSONDoc(path, container string, data []byte, strict bool) (*jsonDoc, error) {
	d := &jsonDoc{path: path, container: container, nl: "\n", indent: "  "}
	src := bytes.Clone(data) // the tree aliases its input
	if bytes.HasPrefix(src, utf8BOM) {
		d.bom, src = true, src[len(utf8BOM):]
	}
	if bytes.Contains(src, []byte("\r\n")) {
		d.nl = "\r\n"
	}
	if len(bytes.TrimSpace(src)) == 0 {
		d.root = hujson.Value{Value: &hujson.Object{}, AfterExtra: []byte(d.nl)}
		return d, nil
	}
	v, err := hujson.Parse(src)
	if err != nil {
		return nil, jsonSyntaxError(path, err)
	}
	std := v.Clone()
	std.Standardize()
	plain := std.Pack()
	if strict && !v.IsStandard() {
		off := firstDiff(src, plain)
		return nil, malformedAt(path, src, off, "has comments or trailing commas, which this client's strict JSON does not allow; remove them by hand")
	}
	if err := json.Unmarshal(plain, new(any)); err != nil {
		var se *json.SyntaxError
		off := 0
		if errors.As(err, &se) {
			off = int(se.Offset)
		}
		return nil, malformedAt(path, src, off, "not valid JSON: "+err.Error())
	}
	root, ok := v.Value.(*hujson.Object)
	if !ok {
		return nil, malformedAt(path, src, v.StartOffset, "the top level is not a JSON object")
	}
	d.root = v
	if ind, ok := lineIndent(firstBefore(root)); ok && ind != "" {
		d.indent = ind
	}
	if err := d.checkContainer(src); err != nil {
		return nil, err
	}
	return d, nil
}

// checkContainer refuses a server map that is not an object or that has
// the MCPlex entry twice (as does the root for the map itself).
func (d *jsonDoc) checkContainer(src []byte) error {
	root := d.root.Value.(*hujson.Object)
	i, err := d.findMember(root, d.container)
	if err != nil {
		return malformedAt(d.path, src, root.Members[i].Name.StartOffset, err.Error())
	}
	if i < 0 {
		return nil
	}
	cv := root.Members[i].Value
	o, ok := cv.Value.(*hujson.Object)
	if !ok {
		return malformedAt(d.path, src, cv.StartOffset, fmt.Sprintf("%q is not an object", d.container))
	}
	if j, err := d.findMember(o, EntryName); err != nil {
		return malformedAt(d.path, src, o.Members[j].Name.StartOffset, err.Error())
	}
	return nil
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

func firstBefore(o *hujson.Object) []byte {
	if len(o.Members) == 0 {
		return nil
	}
	return o.Members[0].Name.BeforeExtra
}

// findMember returns the index of the member called name, or -1. A name
// used twice is an error (clients disagree on which one wins); the index
// is then that of the second use.
func (d *jsonDoc) findMember(o *hujson.Object, name string) (int, error) {
	found := -1
	for i, m := range o.Members {
		if lit, ok := m.Name.Value.(hujson.Literal); ok && lit.String() == name {
			if found >= 0 {
				return i, fmt.Errorf("the key %q appears twice", name)
			}
			found = i
		}
	}
	return found, nil
}

// servers returns the container object, or nil if the file has none.
func (d *jsonDoc) servers() *hujson.Object {
	root := d.root.Value.(*hujson.Object)
	i, _ := d.findMember(root, d.container)
	if i < 0 {
		return nil
	}
	return root.Members[i].Value.Value.(*hujson.Object)
}

func decodeValue(v hujson.Value) any {
	c := v.Clone()
	c.Standardize()
	var out any
	_ = json.Unmarshal(c.Pack(), &out) // validated when parsed
	return out
}

func (d *jsonDoc) entries() []namedEntry {
	o := d.servers()
	if o == nil {
		return nil
	}
	out := make([]namedEntry, 0, len(o.Members))
	for _, m := range o.Members {
		out = append(out, namedEntry{Name: m.Name.Value.(hujson.Literal).String(), Value: decodeValue(m.Value)})
	}
	return out
}

func (d *jsonDoc) get(name string) (any, bool) {
	for _, e := range d.entries() {
		if e.Name == name {
			return e.Value, true
		}
	}
	return nil, false
}

// set adds or replaces the entry name.
func (d *jsonDoc) set(name string, v any) error {
	root := d.root.Value.(*hujson.Object)
	ci, _ := d.findMember(root, d.container)
	if ci < 0 {
		d.created = true
		return d.appendMember(root, "", d.container, object{{name, v}})
	}
	outer := memberIndent(root, ci, d.indent, "")
	o := root.Members[ci].Value.Value.(*hujson.Object)
	mi, _ := d.findMember(o, name)
	if mi < 0 {
		return d.appendMember(o, outer, name, v)
	}
	val, err := d.render(v, memberIndent(o, mi, d.indent, outer), isCompact(o))
	if err != nil {
		return err
	}
	o.Members[mi].Value.Value = val
	return nil
}

// remove deletes the entry name and reports whether it was there.
func (d *jsonDoc) remove(name string) (bool, error) {
	o := d.servers()
	if o == nil {
		return false, nil
	}
	i, _ := d.findMember(o, name)
	if i < 0 {
		return false, nil
	}
	removeMember(o, i)
	return true, nil
}

// removeEmptyContainer deletes the container if it has no entries left.
func (d *jsonDoc) removeEmptyContainer() {
	root := d.root.Value.(*hujson.Object)
	if i, _ := d.findMember(root, d.container); i >= 0 && len(d.servers().Members) == 0 {
		removeMember(root, i)
	}
}

func (d *jsonDoc) bytes() []byte {
	out := d.root.Pack()
	if d.bom {
		out = append(slices.Clone(utf8BOM), out...)
	}
	return out
}

// render formats v for a member whose line starts with prefix: indented
// like the file, or on one line inside a one-line object.
func (d *jsonDoc) render(v any, prefix string, compact bool) (hujson.ValueTrimmed, error) {
	b, err := marshal(v)
	if err != nil {
		return nil, err
	}
	if !compact {
		var buf bytes.Buffer
		if err := json.Indent(&buf, b, prefix, d.indent); err != nil {
			return nil, err
		}
		b = buf.Bytes()
		if d.nl != "\n" {
			b = bytes.ReplaceAll(b, []byte("\n"), []byte(d.nl))
		}
	}
	pv, err := hujson.Parse(b)
	if err != nil {
		return nil, err
	}
	return pv.Value, nil
}

// appendMember adds name: v at the end of o, whose own line is indented by
// outer. The previous last member keeps its trailing comments on its line.
func (d *jsonDoc) appendMember(o *hujson.Object, outer, name string, v any) error {
	n := len(o.Members)
	compact := isCompact(o)
	ind := memberIndent(o, n-1, d.indent, outer)
	val, err := d.render(v, ind, compact)
	if err != nil {
		return err
	}
	m := hujson.ObjectMember{
		Name:  hujson.Value{Value: hujson.String(name), AfterExtra: []byte{}},
		Value: hujson.Value{BeforeExtra: []byte(" "), Value: val},
	}
	if n > 0 {
		last := o.Members[n-1]
		if isBlank(last.Name.AfterExtra) {
			m.Name.AfterExtra = slices.Clone(last.Name.AfterExtra)
		}
		if isBlank(last.Value.BeforeExtra) {
			m.Value.BeforeExtra = slices.Clone(last.Value.BeforeExtra)
		}
		if last.Value.AfterExtra != nil { // keep the trailing-comma style
			m.Value.AfterExtra = []byte{}
		}
	}
	if compact {
		// After a comma: as between the existing members, else a space
		// unless the object is minified.
		m.Name.BeforeExtra = []byte(" ")
		if before := o.Members[n-1].Name.BeforeExtra; n > 1 && isBlank(before) {
			m.Name.BeforeExtra = slices.Clone(before)
		} else if n == 1 && len(o.Members[0].Value.BeforeExtra) == 0 {
			m.Name.BeforeExtra = []byte{}
		}
	} else {
		// What was before the closing brace's line stays with the previous
		// member; the new member gets a line of its own.
		head, tail := splitLastLine(o.AfterExtra)
		m.Name.BeforeExtra = cat(head, []byte(d.nl), []byte(ind))
		if len(tail) == 0 { // the brace was not on a line of its own
			tail = []byte(d.nl + outer)
		}
		o.AfterExtra = tail
	}
	o.Members = append(o.Members, m)
	return nil
}

// removeMember deletes member i of o, undoing appendMember's whitespace:
// comments that preceded the member stay, in front of what follows.
func removeMember(o *hujson.Object, i int) {
	m := o.Members[i]
	keep := dropOwnLine(m.Name.BeforeExtra)
	n := len(o.Members)
	switch {
	case i < n-1:
		next := &o.Members[i+1]
		next.Name.BeforeExtra = cat(keep, next.Name.BeforeExtra)
	case i > 0:
		prev := &o.Members[i-1]
		if m.Value.AfterExtra != nil { // trailing comma: prev now carries it
			if prev.Value.AfterExtra == nil {
				prev.Value.AfterExtra = []byte{}
			}
			o.AfterExtra = cat(keep, o.AfterExtra)
		} else {
			pre := prev.Value.AfterExtra
			prev.Value.AfterExtra = nil
			o.AfterExtra = cat(pre, keep, o.AfterExtra)
		}
	default:
		o.AfterExtra = cat(keep, o.AfterExtra)
		if isBlank(o.AfterExtra) {
			o.AfterExtra = nil // back to "{}"
		}
	}
	o.Members = slices.Delete(o.Members, i, i+1)
}

// splitLastLine splits extra at its last line break: head is what comes
// before the break, tail the break and the indentation after it. Without a
// line break, head is extra and tail is empty.
func splitLastLine(extra []byte) (head, tail []byte) {
	i := bytes.LastIndexByte(extra, '\n')
	if i < 0 {
		return extra, nil
	}
	if i > 0 && extra[i-1] == '\r' {
		i--
	}
	return extra[:i], extra[i:]
}

// dropOwnLine undoes the line break and indentation appendMember put in
// front of a member; blanks on one line are dropped too.
func dropOwnLine(before []byte) []byte {
	head, tail := splitLastLine(before)
	if len(tail) == 0 {
		if isBlank(head) {
			return nil
		}
		return trimIndent(head)
	}
	return head
}

// memberIndent is the indentation of member i's line, or outer+unit when
// that cannot be read off the file (no such member, or not on its own line).
func memberIndent(o *hujson.Object, i int, unit, outer string) string {
	if i >= 0 && i < len(o.Members) {
		if ind, ok := lineIndent(o.Members[i].Name.BeforeExtra); ok {
			return ind
		}
	}
	return outer + unit
}

// isCompact reports whether o is a non-empty object written on one line.
func isCompact(o *hujson.Object) bool {
	return len(o.Members) > 0 && !bytes.Contains(hujson.Value{Value: o}.Pack(), []byte("\n"))
}

// lineIndent returns the blanks after the last newline of extra, if extra
// has a newline and ends in blanks only.
func lineIndent(extra []byte) (string, bool) {
	i := bytes.LastIndexByte(extra, '\n')
	if i < 0 || !isBlank(extra[i+1:]) {
		return "", false
	}
	return string(extra[i+1:]), true
}

func isBlank(b []byte) bool { return len(bytes.Trim(b, " \t\r\n")) == 0 }

// trimIndent drops trailing spaces and tabs (the indentation of the next
// line), never a comment or its newline.
func trimIndent(b []byte) []byte { return bytes.TrimRight(b, " \t") }

// cat concatenates into a new slice: extras alias the parsed input, so an
// append could overwrite bytes still in use.
func cat(parts ...[]byte) []byte {
	return slices.Concat(parts...)
}
