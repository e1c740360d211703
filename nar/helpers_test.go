package nar

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/nixwire/nixwire/wire"
)

// tnode is a file system object for the test-only NAR writer.
type tnode struct {
	typ      Type
	exec     bool
	contents []byte
	target   string
	entries  map[string]*tnode
}

func file(s string) *tnode           { return &tnode{typ: TypeRegular, contents: []byte(s)} }
func execFile(s string) *tnode       { return &tnode{typ: TypeRegular, exec: true, contents: []byte(s)} }
func link(t string) *tnode           { return &tnode{typ: TypeSymlink, target: t} }
func dir(e map[string]*tnode) *tnode { return &tnode{typ: TypeDirectory, entries: e} }

// writeNAR serialises n with the Writer; TestWriterBytes and the tests
// against `nix-store --dump` pin the Writer to independent bytes.
func writeNAR(n *tnode) []byte {
	var b bytes.Buffer
	w := NewWriter(&b)
	if err := writeNode(w, n); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func writeNode(w *Writer, n *tnode) error {
	switch n.typ {
	case TypeRegular:
		if err := w.File(n.exec, uint64(len(n.contents))); err != nil {
			return err
		}
		if len(n.contents) > 0 {
			_, err := w.Write(n.contents)
			return err
		}
		return nil
	case TypeSymlink:
		return w.Symlink(n.target)
	}
	if err := w.Directory(); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(n.entries)) {
		if err := w.Entry(name); err != nil {
			return err
		}
		if err := writeNode(w, n.entries[name]); err != nil {
			return err
		}
	}
	return w.EndDirectory()
}

// refParse is an independent, slice-based reference parser of the NAR
// grammar, for differential tests. It returns the tree and the NAR's
// length.
func refParse(b []byte) (*tnode, int, error) {
	p := &refParser{b: b}
	if p.next() != Magic {
		return nil, 0, p.failed("magic")
	}
	n := p.node(0)
	if p.err != nil {
		return nil, 0, p.err
	}
	return n, p.off, nil
}

type refParser struct {
	b   []byte
	off int
	err error
}

func (p *refParser) failed(what string) error {
	if p.err == nil {
		p.err = fmt.Errorf("ref: %s at %d", what, p.off)
	}
	return p.err
}

func (p *refParser) next() string {
	if p.err != nil {
		return "\x00err"
	}
	if len(p.b)-p.off < 8 {
		p.err = errors.New("short")
		return "\x00err"
	}
	n := binary.LittleEndian.Uint64(p.b[p.off:])
	if n > MaxNameLen || uint64(len(p.b)-p.off-8) < n+uint64(padLen(n)) {
		p.err = errors.New("long")
		return "\x00err"
	}
	s := string(p.b[p.off+8 : p.off+8+int(n)])
	if !zero(p.b[p.off+8+int(n) : p.off+8+int(n)+padLen(n)]) {
		p.err = errors.New("padding")
		return "\x00err"
	}
	p.off += 8 + int(n) + padLen(n)
	return s
}

func (p *refParser) want(s string) {
	if p.next() != s {
		p.failed("want " + s)
	}
}

func (p *refParser) node(depth int) *tnode {
	p.want("(")
	p.want("type")
	n := &tnode{}
	switch p.next() {
	case "regular":
		n.typ = TypeRegular
		t := p.next()
		if t == "executable" {
			n.exec = true
			p.want("")
			t = p.next()
		}
		if t != "contents" {
			p.failed("contents")
			return nil
		}
		// Contents may exceed MaxNameLen: read them directly.
		if p.err == nil && len(p.b)-p.off >= 8 {
			l := binary.LittleEndian.Uint64(p.b[p.off:])
			if l <= uint64(len(p.b)-p.off-8) && uint64(len(p.b)-p.off-8)-l >= uint64(padLen(l)) {
				n.contents = p.b[p.off+8 : p.off+8+int(l)]
				if !zero(p.b[p.off+8+int(l) : p.off+8+int(l)+padLen(l)]) {
					p.failed("padding")
				}
				p.off += 8 + int(l) + padLen(l)
			} else {
				p.failed("short contents")
			}
		} else {
			p.failed("short")
		}
	case "symlink":
		n.typ = TypeSymlink
		p.want("target")
		n.target = p.next()
		if n.target == "" || containsNUL(n.target) {
			p.failed("target")
		}
	case "directory":
		if depth >= MaxDepth {
			p.failed("depth")
			return nil
		}
		n.typ = TypeDirectory
		n.entries = map[string]*tnode{}
		prev := ""
		for first := true; p.err == nil; first = false {
			t := p.next()
			if t == ")" {
				return n
			}
			if t != "entry" {
				p.failed("entry")
				return nil
			}
			p.want("(")
			p.want("name")
			name := p.next()
			if checkName([]byte(name)) != "" || (!first && name <= prev) {
				p.failed("name")
				return nil
			}
			prev = name
			p.want("node")
			n.entries[name] = p.node(depth + 1)
			p.want(")")
		}
		return nil
	default:
		p.failed("type")
		return nil
	}
	p.want(")")
	return n
}

// str appends one raw token, for building invalid archives that the Writer
// refuses to produce.
func str(b []byte, s string) []byte { return wire.AppendString(b, s) }

// rewrite streams the NAR in data through Walk into a Writer: the events
// of the scanner drive the writer, closing directories when the walk
// leaves them.
func rewrite(data []byte) ([]byte, error) {
	var out bytes.Buffer
	w := NewWriter(&out)
	var open []string // paths of open directories
	_, err := Walk(bytes.NewReader(data), func(h *Header, contents io.Reader) error {
		for len(open) > 0 && !isChild(h.Path, open[len(open)-1]) {
			open = open[:len(open)-1]
			if err := w.EndDirectory(); err != nil {
				return err
			}
		}
		if h.Path != "" {
			if err := w.Entry(h.Path[strings.LastIndexByte(h.Path, '/')+1:]); err != nil {
				return err
			}
		}
		switch h.Type {
		case TypeRegular:
			if err := w.File(h.Executable, h.Size); err != nil {
				return err
			}
			if h.Size > 0 {
				_, err := w.ReadFrom(contents)
				return err
			}
		case TypeSymlink:
			return w.Symlink(h.Target)
		case TypeDirectory:
			open = append(open, h.Path)
			return w.Directory()
		}
		return nil
	})
	for range open {
		if err == nil {
			err = w.EndDirectory()
		}
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return out.Bytes(), err
}

// isChild reports whether path is directly inside dir.
func isChild(path, dir string) bool {
	if dir == "" {
		return path != "" && !strings.Contains(path, "/")
	}
	rest, ok := strings.CutPrefix(path, dir+"/")
	return ok && !strings.Contains(rest, "/")
}
