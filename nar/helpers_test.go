package nar

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
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

// str appends a NAR string token.
func str(b []byte, s string) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(len(s)))
	b = append(b, s...)
	return append(b, make([]byte, padLen(uint64(len(s))))...)
}

// writeNAR serialises n as Nix does (nix-store --dump).
func writeNAR(n *tnode) []byte {
	return appendNode(str(nil, Magic), n)
}

func appendNode(b []byte, n *tnode) []byte {
	b = str(str(b, "("), "type")
	switch n.typ {
	case TypeRegular:
		b = str(b, "regular")
		if n.exec {
			b = str(str(b, "executable"), "")
		}
		b = str(str(b, "contents"), string(n.contents))
	case TypeSymlink:
		b = str(str(str(b, "symlink"), "target"), n.target)
	case TypeDirectory:
		b = str(b, "directory")
		names := make([]string, 0, len(n.entries))
		for name := range n.entries {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			b = str(str(str(str(b, "entry"), "("), "name"), name)
			b = appendNode(str(b, "node"), n.entries[name])
			b = str(b, ")")
		}
	}
	return str(b, ")")
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

func containsNUL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return true
		}
	}
	return false
}
