package schema

import (
	"fmt"
	"strconv"
)

// file parses the whole file: statements separated by line ends.
func (p *parser) file() {
	p.skipNewlines()
	for p.cur().kind != tEOF {
		start := p.i
		p.protect(p.statement, p.syncTop)
		if p.i == start {
			p.next()
		}
		p.skipNewlines()
	}
}

// statement parses one top-level statement and the end of its line.
func (p *parser) statement() {
	kw := p.cur()
	if kw.kind != tIdent || !topKeywords[kw.text] {
		p.failExpected("a declaration (protocol, import, limits, feature, type, enum, struct, union or op)")
	}
	if kw.text != "protocol" {
		defer func() { p.seenStatement = true }()
	}
	p.next()
	var doc *string // where a trailing comment goes
	switch kw.text {
	case "protocol":
		p.protocol(kw)
	case "import":
		p.importStmt()
	case "limits":
		p.limitsBlock(kw)
	case "feature":
		f := p.feature(kw)
		doc = &f.Doc
	case "type":
		n := p.named(kw)
		doc = &n.Doc
	case "enum":
		p.enum(kw)
	case "struct":
		p.structDecl(kw)
	case "union":
		p.union(kw)
	case "op":
		p.op(kw)
	}
	switch t := p.cur(); t.kind {
	case tNewline:
		p.next()
		if doc != nil {
			*doc = joinDoc(*doc, t.comment)
		}
	case tEOF:
	default:
		if !p.startsStatement() { // else an unclosed block, reported already
			p.failExpected("end of line after the " + kw.text + " statement")
		}
	}
}

// declName parses the name of a declaration.
func (p *parser) declName(what string) token {
	return p.expect(tIdent, "a name after "+what)
}

func (p *parser) protocol(kw token) {
	name := p.declName("protocol")
	var extends *NameRef
	if p.cur().is("extends") {
		p.next()
		extends = p.nameRef("a protocol name after extends")
	}
	p.noGates("a protocol statement", "")
	switch {
	case p.f.ProtocolPos != (Pos{}):
		p.errorAt(kw.pos, "duplicate protocol statement; this file's protocol is "+
			strconv.Quote(p.f.Protocol)+" ("+p.f.ProtocolPos.String()+")")
		return
	case p.seenStatement:
		p.errorAt(kw.pos, "the protocol statement must come first in the file")
	}
	p.f.Protocol, p.f.ProtocolPos, p.f.ProtocolDoc, p.f.Extends = name.text, name.pos, kw.doc, extends
}

func (p *parser) importStmt() {
	imp := &Import{}
	if p.cur().kind == tIdent {
		imp.Name = p.next().text
	}
	path := p.expect(tString, "an import path string")
	imp.Pos, imp.Path = path.pos, path.str
	p.noGates("an import", "")
	p.f.Imports = append(p.f.Imports, imp)
}

func (p *parser) limitsBlock(kw token) {
	p.noGates("the limits block", "")
	l := &Limits{}
	dup := p.f.Limits != nil
	if dup {
		p.errorAt(kw.pos, "duplicate limits block; the first is at "+p.f.LimitsPos.String())
	} else {
		p.f.Limits, p.f.LimitsPos = l, kw.pos
	}
	p.block("limits", func() {
		what := p.cur()
		var dst *uint64
		switch what.text {
		case "string":
			dst = &l.String
		case "bytes":
			dst = &l.Bytes
		case "count":
			dst = &l.Count
		default:
			p.failExpected(`"string", "bytes" or "count"`)
		}
		p.next()
		n := p.expect(tInt, "a number after "+what.text)
		switch {
		case n.num == 0:
			p.errorAt(n.pos, "a limit must be at least 1")
		case *dst != 0:
			p.errorAt(what.pos, "duplicate "+what.text+" limit")
		default:
			*dst = n.num
		}
		p.endItem("")
	})
}

func (p *parser) feature(kw token) *Feature {
	name := p.declName("feature")
	f := &Feature{Pos: name.pos, Doc: kw.doc, Name: name.text}
	p.expect(tAssign, `"=" after feature `+name.text)
	f.Value = p.expect(tString, "the feature's name on the wire (a string)").str
	p.noGates("a feature", "")
	p.f.Features = append(p.f.Features, f)
	return f
}

const gateUsers = "; gate the fields that use it"

func (p *parser) named(kw token) *Named {
	name := p.declName("type")
	n := &Named{DeclInfo: DeclInfo{Pos: name.pos, Doc: kw.doc, Name: name.text}}
	p.noGates("a type declaration", gateUsers)
	n.Type = p.typ()
	p.f.Decls = append(p.f.Decls, n)
	for {
		p.noGates("a type declaration", gateUsers)
		if !p.cur().is("validate") {
			return n
		}
		if n.Validate {
			p.errorAt(p.cur().pos, "duplicate validate")
		}
		n.Validate = true
		p.next()
	}
}

func (p *parser) enum(kw token) {
	name := p.declName("enum")
	e := &Enum{DeclInfo: DeclInfo{Pos: name.pos, Doc: kw.doc, Name: name.text}}
	p.f.Decls = append(p.f.Decls, e)
	for {
		p.noGates("an enum declaration", gateUsers)
		if !p.cur().is("open") {
			break
		}
		if e.Open {
			p.errorAt(p.cur().pos, "duplicate open")
		}
		e.Open = true
		p.next()
	}
	p.block("enum "+name.text, func() {
		vn := p.expect(tIdent, "an enum value name")
		v := &EnumValue{Pos: vn.pos, Doc: vn.doc, Name: vn.text}
		p.expect(tAssign, `"=" after `+vn.text)
		v.Value = p.expect(tInt, "a number").num
		e.Values = append(e.Values, v)
		for p.gate(&v.Gate) {
		}
		v.Doc = joinDoc(v.Doc, p.endItem("since, until, if, unless"))
	})
}

func (p *parser) structDecl(kw token) {
	name := p.declName("struct")
	s := &Struct{DeclInfo: DeclInfo{Pos: name.pos, Doc: kw.doc, Name: name.text}}
	p.f.Decls = append(p.f.Decls, s)
	p.noGates("a struct declaration", gateUsers)
	if p.cur().is("from") {
		p.next()
		s.Derived = &Derivation{From: p.typ()}
		p.noGates("a struct declaration", gateUsers)
	}
	p.structBody(s, "struct "+name.text)
}

// structBody parses the braces of a struct: fields, or layouts of fields.
func (p *parser) structBody(s *Struct, what string) {
	defer func(d bool) { p.derived = d }(p.derived)
	p.derived = s.Derived != nil
	var loose []*Field // fields outside layouts
	p.block(what, func() {
		if !p.cur().is("layout") {
			loose = append(loose, p.field())
			return
		}
		p.hasBlock = true
		l := &Layout{Pos: p.next().pos}
		for p.gate(&l.Gate) {
		}
		s.Layouts = append(s.Layouts, l)
		p.block("layout", func() {
			if p.cur().is("layout") {
				p.hasBlock = true // skip its block
				p.fail("layouts cannot be nested")
			}
			l.Fields = append(l.Fields, p.field())
		})
		p.endItem("")
	})
	if len(s.Layouts) == 0 || s.Derived != nil { // a derived struct adds fields and layouts
		s.Fields = loose
		return
	}
	for _, f := range loose {
		p.errorAt(f.Pos, "field "+strconv.Quote(f.Name)+" outside the layouts of "+what+
			"; in a struct with layouts every field belongs to a layout")
	}
}

// field parses one field line.
func (p *parser) field() *Field {
	name := p.expect(tIdent, "a field name")
	f := &Field{Pos: name.pos, Doc: name.doc, Name: name.text}
	if k := p.cur().kind; p.derived && (k == tNewline || k == tRBrace) {
		// A bare name in a layout of a derived struct: the base's field.
		f.Doc = joinDoc(f.Doc, p.endItem(""))
		return f
	}
	f.Type = p.typ()
	for {
		if p.gate(&f.Gate) {
			continue
		}
		t := p.cur()
		switch {
		case t.is("default"), t.is("const"):
			p.next()
			l := p.literal()
			dst := &f.Default
			if t.text == "const" {
				dst = &f.Const
			}
			if *dst != nil {
				p.errorAt(t.pos, "duplicate "+t.text)
			}
			*dst = l
		case t.is("required"):
			if f.Required {
				p.errorAt(t.pos, "duplicate required")
			}
			f.Required = true
			p.next()
		case t.is("when"):
			p.next()
			c := p.condition(t)
			if f.When != nil {
				p.errorAt(t.pos, "duplicate when")
			} else {
				f.When = c
			}
		case t.is("after") && p.derived:
			p.next()
			after := p.expect(tIdent, "a field name after after")
			if f.Place != nil {
				p.errorAt(t.pos, "duplicate after")
			} else {
				f.Place = &FieldPos{Pos: t.pos, After: after.text}
			}
		case t.is("at"):
			p.next()
			v := p.expect(tVersion, "a version major.minor after at").ver
			if f.At != nil {
				p.errorAt(t.pos, "duplicate at")
			} else {
				f.At = &v
			}
		default:
			alts := "since, until, if, unless, when, at, default, const, required"
			if p.derived {
				alts += ", after"
			}
			f.Doc = joinDoc(f.Doc, p.endItem(alts))
			return f
		}
	}
}

// condition parses the rest of a when clause: a field name, == or !=, and
// a literal.
func (p *parser) condition(kw token) *Condition {
	name := p.expect(tIdent, "a field name after when")
	c := &Condition{Pos: kw.pos, Name: name.text}
	switch p.cur().kind {
	case tEq:
		c.Equal = true
	case tNe:
	default:
		p.failExpected(`"==" or "!=" after when ` + name.text)
	}
	p.next()
	c.Value = p.literal()
	return c
}

func (p *parser) union(kw token) {
	name := p.declName("union")
	u := &Union{DeclInfo: DeclInfo{Pos: name.pos, Doc: kw.doc, Name: name.text}}
	p.f.Decls = append(p.f.Decls, u)
	p.noGates("a union declaration", gateUsers)
	p.block("union "+name.text, func() {
		tag := p.expect(tInt, "a variant tag (a number)")
		v := &Variant{Pos: tag.pos, Doc: tag.doc, Tag: tag.num}
		v.Type = p.typ()
		u.Variants = append(u.Variants, v)
		for p.gate(&v.Gate) {
		}
		v.Doc = joinDoc(v.Doc, p.endItem("since, until, if, unless"))
	})
}

// streamKinds maps the stream kind names to their kinds.
var streamKinds = map[string]StreamKind{"framed": Framed, "raw": Raw, "pull": Pull, "push": Push}

func (p *parser) op(kw token) {
	name := p.declName("op")
	op := &Op{Pos: name.pos, Doc: kw.doc, Name: name.text}
	if p.cur().is("from") {
		p.next()
		op.FromRef = p.nameRef("an op name after from")
	} else {
		p.expect(tAssign, `"=" after op `+name.text)
		op.Code = p.expect(tInt, "an opcode (a number)").num
	}
	for {
		if p.gate(&op.Gate) {
			continue
		}
		t := p.cur()
		if !t.is("deprecated") {
			break
		}
		p.next()
		note := p.expect(tString, "a deprecation note (a string)")
		if op.Deprecated != "" {
			p.errorAt(t.pos, "duplicate deprecated")
		}
		if note.str == "" {
			p.errorAt(note.pos, "the deprecation note must not be empty")
		}
		op.Deprecated = note.str
	}
	var synth []Decl // structs of inline requests and replies
	p.block("op "+name.text, func() {
		item := p.next()
		switch item.text {
		case "request", "reply":
			p.hasBlock = true
			dst, suffix := &op.Request, "Request"
			if item.text == "reply" {
				dst, suffix = &op.Reply, "Reply"
			}
			if *dst != nil {
				p.errorAt(item.pos, "duplicate "+item.text)
			}
			p.noGates("a "+item.text, "; gate the op, or the fields of the "+item.text)
			if p.cur().kind == tLBrace {
				s := &Struct{DeclInfo: DeclInfo{Pos: item.pos, Doc: item.doc, Name: op.Name + suffix}, Op: op}
				if op.FromRef != nil { // derived from the base op's message, resolved by the checker
					s.Derived = &Derivation{}
				}
				p.structBody(s, item.text+" of op "+op.Name)
				synth = append(synth, s)
				*dst = &Type{Pos: item.pos, Kind: Ref, Name: s.Name, Decl: s}
			} else {
				*dst = p.typ()
				p.noGates("a "+item.text, "; gate the op, or the fields of the "+item.text)
			}
		case "stream":
			dir := p.cur()
			s := &Stream{Pos: item.pos}
			switch {
			case dir.is("request"):
				s.Dir = AfterRequest
			case dir.is("reply"):
				s.Dir = AfterReply
			default:
				p.failExpected(`"request" or "reply" after stream`)
			}
			p.next()
			kind := p.cur()
			if s.Kind = streamKinds[kind.text]; kind.kind != tIdent || s.Kind == 0 {
				p.failExpected(`"framed", "raw", "pull" or "push"`)
			}
			// What the runtimes (client, server, trace) can move: the
			// log channel runs from the server to the client only, so
			// data is pulled through it into a request and pushed
			// through it after a reply; a reply is followed by raw
			// data or pushed data.
			switch {
			case s.Dir == AfterRequest && s.Kind == Push:
				p.fail(`a request stream is "framed", "raw" or "pull" (the server pulls it): "push" is for replies`)
			case s.Dir == AfterReply && s.Kind != Raw && s.Kind != Push:
				p.fail(`a reply stream is "raw" or "push" (the server sends it through the log channel): "` + kind.text + `" is for requests`)
			}
			p.next()
			for p.gate(&s.Gate) {
			}
			// The first rule that holds decides: one after an ungated
			// rule of the same direction is dead.
			for _, prev := range op.Streams {
				if prev.Dir == s.Dir && prev.Gate.Always() {
					p.errorAt(s.Pos, fmt.Sprintf("this stream rule never applies: the ungated rule at %s comes first (the first rule that holds decides)", prev.Pos))
					break
				}
			}
			op.Streams = append(op.Streams, s)
		default:
			p.i-- // report at the item
			p.failExpected(`"request", "reply" or "stream"`)
		}
		p.endItem("")
	})
	if op.Request == nil && op.FromRef == nil { // a derived op keeps its base's request
		s := &Struct{DeclInfo: DeclInfo{Pos: op.Pos, Name: op.Name + "Request"}, Op: op}
		synth = append([]Decl{s}, synth...)
		op.Request = &Type{Pos: op.Pos, Kind: Ref, Name: s.Name, Decl: s}
	}
	p.f.Decls = append(p.f.Decls, synth...)
	p.f.Ops = append(p.f.Ops, op)
}

// nameRef parses a possibly qualified name: `Name` or `qual.Name`.
func (p *parser) nameRef(what string) *NameRef {
	first := p.expect(tIdent, what)
	r := &NameRef{Pos: first.pos, Name: first.text}
	if p.cur().kind == tDot {
		p.next()
		r.Qual, r.Name = first.text, p.expect(tIdent, "a name after "+first.text+".").text
	}
	return r
}
