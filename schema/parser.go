package schema

import "strconv"

// parser is a recursive-descent parser over the tokens of one file. A
// syntax error is recorded and unwinds (with a bailout panic) to the
// nearest recovery point: the enclosing line inside a block, or the
// enclosing top-level statement, which then skip ahead (syncLine, syncTop)
// so that parsing continues and later errors are reported too.
type parser struct {
	toks []token
	i    int
	errs *ErrorList
	f    *File
	// seenStatement is set after the first statement other than protocol.
	seenStatement bool
	// hasBlock is set by a block item that can contain a block of its own
	// (a layout, an inline request or reply), so that syncLine skips that
	// block whole; in other lines a "{" is just a mistake.
	hasBlock bool
	// derived is set inside the body of a derived struct, where fields
	// take an after clause and a layout's field may be a bare base name.
	derived bool
}

// bailout unwinds the parser to the nearest recovery point.
type bailout struct{}

// parse parses one file, appending its errors to errs.
func parse(filename string, src []byte, errs *ErrorList) *File {
	p := &parser{errs: errs, f: &File{Name: filename}}
	p.toks = lex(filename, src, p.errorAt)
	p.file()
	for _, op := range p.f.Ops {
		op.Protocol = p.f.Protocol
	}
	return p.f
}

func (p *parser) cur() token { return p.toks[p.i] }

// peek returns the token n places ahead of the current one (EOF past the end).
func (p *parser) peek(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

// next consumes and returns the current token; EOF is never consumed.
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) errorAt(pos Pos, msg string) { *p.errs = append(*p.errs, &Error{Pos: pos, Msg: msg}) }

// fail reports msg at the current token, unless the lexer already reported
// it (tIllegal), and unwinds to the nearest recovery point.
func (p *parser) fail(msg string) {
	if p.cur().kind != tIllegal {
		p.errorAt(p.cur().pos, msg)
	}
	panic(bailout{})
}

// failExpected fails with "expected what, found <current token>".
func (p *parser) failExpected(what string) {
	p.fail("expected " + what + ", found " + p.cur().describe())
}

// expect consumes a token of kind k or fails, describing it as what.
func (p *parser) expect(k tokenKind, what string) token {
	if p.cur().kind != k {
		p.failExpected(what)
	}
	return p.next()
}

// expectWord consumes the identifier or keyword word or fails.
func (p *parser) expectWord(word string) token {
	if !p.cur().is(word) {
		p.failExpected(strconv.Quote(word))
	}
	return p.next()
}

func (p *parser) skipNewlines() {
	for p.cur().kind == tNewline {
		p.next()
	}
}

// protect runs fn and, if it bails out, runs sync to skip ahead.
func (p *parser) protect(fn, sync func()) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(bailout); !ok {
				panic(r)
			}
			sync()
		}
	}()
	fn()
}

// syncLine skips to the end of the current line (consumed) or to the "}"
// that closes the enclosing block (not consumed). In a line that can hold a
// block (hasBlock), braces opened on the way are skipped with their
// contents.
func (p *parser) syncLine() {
	depth := 0
	for {
		switch t := p.cur(); t.kind {
		case tEOF:
			return
		case tNewline:
			if depth == 0 {
				p.next()
				return
			}
		case tLBrace:
			if p.hasBlock {
				depth++
			}
		case tRBrace:
			if depth == 0 {
				return
			}
			depth--
		}
		p.next()
	}
}

// syncTop skips to the next line that starts a top-level statement outside
// any braces.
func (p *parser) syncTop() {
	depth := 0
	for {
		t := p.cur()
		switch t.kind {
		case tEOF:
			return
		case tLBrace:
			depth++
		case tRBrace:
			if depth > 0 {
				depth--
			}
		case tIdent:
			if depth == 0 && p.startsStatement() {
				return
			}
		}
		p.next()
	}
}

// startsStatement reports whether the current token is a top-level keyword
// at the start of a line (and not, say, a misnamed enum value "type = 1").
func (p *parser) startsStatement() bool {
	t := p.cur()
	return t.first && t.kind == tIdent && topKeywords[t.text] && p.peek(1).kind != tAssign
}

// block parses "{" { item } "}", calling item for each line; an item that
// fails is skipped to the end of its line. what names the block in errors.
func (p *parser) block(what string, item func()) {
	open := p.expect(tLBrace, `"{"`)
	for {
		p.skipNewlines()
		switch {
		case p.cur().kind == tRBrace:
			p.next()
			return
		case p.cur().kind == tEOF || p.startsStatement():
			p.errorAt(open.pos, "unclosed { of "+what)
			return
		}
		start := p.i
		p.hasBlock = false
		p.protect(item, p.syncLine)
		if p.i == start {
			p.next()
		}
	}
}

// endItem ends a line inside a block: it consumes the line end and returns
// its trailing comment, or leaves a closing "}" in place. Anything else is
// an error; alternatives lists what else could have come.
func (p *parser) endItem(alternatives string) string {
	switch t := p.cur(); t.kind {
	case tNewline:
		p.next()
		return t.comment
	case tRBrace, tEOF:
		return ""
	}
	if alternatives != "" {
		p.failExpected(alternatives + " or end of line")
	}
	p.failExpected("end of line")
	return ""
}

// joinDoc appends a trailing comment to a doc comment.
func joinDoc(doc, trailing string) string {
	switch {
	case trailing == "":
		return doc
	case doc == "":
		return trailing
	}
	return doc + "\n" + trailing
}

// isGateWord reports whether t starts a gate.
func isGateWord(t token) bool {
	return t.kind == tIdent && (t.text == "since" || t.text == "until" || t.text == "if" || t.text == "unless")
}

// gate parses one gate into g if the current token starts one, and
// reports whether it did. Features are placeholders named as written.
func (p *parser) gate(g *Gate) bool {
	kw := p.cur()
	if !isGateWord(kw) {
		return false
	}
	p.next()
	if g.Pos == (Pos{}) {
		g.Pos = kw.pos
	}
	switch kw.text {
	case "since", "until":
		v := p.expect(tVersion, "a version major.minor after "+kw.text)
		bound := &g.Since
		if kw.text == "until" {
			bound = &g.Until
			if v.ver == 0 {
				p.errorAt(kw.pos, "empty version range: until 0.0 never holds")
			}
		}
		if *bound != 0 {
			p.errorAt(kw.pos, "duplicate "+kw.text+" gate")
		}
		*bound = v.ver
	default:
		name := p.expect(tIdent, "a feature name after "+kw.text)
		text := name.text
		if p.cur().kind == tDot {
			p.next()
			text += "." + p.expect(tIdent, "a feature name after "+text+".").text
		}
		f := &Feature{Pos: name.pos, Name: text}
		if kw.text == "if" {
			g.If = append(g.If, f)
		} else {
			g.Unless = append(g.Unless, f)
		}
	}
	return true
}

// noGates reports gates where none may go (what cannot be gated; hint
// says what to do instead) and skips them.
func (p *parser) noGates(what, hint string) {
	if !isGateWord(p.cur()) {
		return
	}
	pos := p.cur().pos
	var g Gate
	for p.gate(&g) {
	}
	p.errorAt(pos, what+" cannot be gated"+hint)
}

// primitives maps the primitive type names to their kinds.
var primitives = map[string]Kind{
	"u8": U8, "u16": U16, "u32": U32, "u64": U64, "i64": I64,
	"bool": Bool, "string": String, "bytes": Bytes,
}

// typ parses a type expression.
func (p *parser) typ() *Type {
	name := p.expect(tIdent, "a type")
	t := &Type{Pos: name.pos}
	if p.cur().kind == tDot { // qualified: even "list.X" names an import's type
		p.next()
		t.Kind, t.Qual, t.Name = Ref, name.text, p.expect(tIdent, "a type name after "+name.text+".").text
	} else if k, ok := primitives[name.text]; ok {
		t.Kind = k
	} else {
		switch name.text {
		case "list", "set":
			t.Kind = List
			if name.text == "set" {
				t.Kind = Set
			}
			p.open(name.text)
			t.Elem = p.typ()
			if p.cur().kind == tComma {
				p.next()
				p.skipNewlines()
				p.expectWord("terminated")
				t.Terminated = true
			}
			p.close(name.text)
		case "map":
			t.Kind = Map
			p.open("map")
			t.Key = p.typ()
			p.expect(tComma, `"," after the key type of map`)
			p.skipNewlines()
			t.Elem = p.typ()
			p.close("map")
		case "optional":
			t.Kind = Optional
			p.open("optional")
			t.Elem = p.typ()
			if p.cur().kind == tComma {
				p.next()
				p.skipNewlines()
				p.expectWord("empty")
				t.Empty = true
			}
			p.close("optional")
		default:
			t.Kind, t.Name = Ref, name.text
		}
	}
	if p.cur().kind == tLParen {
		p.limit(t)
	}
	return t
}

func (p *parser) open(what string) {
	p.expect(tLAngle, `"<" after `+what)
	p.skipNewlines()
}

func (p *parser) close(what string) {
	p.expect(tRAngle, `">" to close `+what+"<…>")
}

// limit parses "(" LimitItem [ "," LimitItem ] ")" after t and checks that
// t takes limits.
func (p *parser) limit(t *Type) {
	open := p.next()
	var min, max uint64
	var hasMin, hasMax bool
	for {
		p.skipNewlines()
		kw := p.cur()
		if !kw.is("min") && !kw.is("max") {
			p.failExpected(`"min" or "max"`)
		}
		p.next()
		n := p.expect(tInt, "a number after "+kw.text)
		switch {
		case kw.text == "min" && hasMin, kw.text == "max" && hasMax:
			p.errorAt(kw.pos, "duplicate "+kw.text)
		case kw.text == "min":
			min, hasMin = n.num, true
		case n.num == 0:
			p.errorAt(n.pos, "max must be at least 1")
		default:
			max, hasMax = n.num, true
		}
		if p.cur().kind != tComma {
			break
		}
		p.next()
	}
	p.expect(tRParen, `"," or ")"`)
	switch t.Kind {
	case String, Bytes, List, Set, Map:
	case Ref:
		p.errorAt(open.pos, "limit on named type "+strconv.Quote(typeString(t))+
			": only string, bytes, list, set and map take limits (limit the type in its declaration)")
		return
	default:
		p.errorAt(open.pos, "limit on "+t.Kind.String()+": only string, bytes, list, set and map take limits")
		return
	}
	if hasMin && hasMax && min > max {
		p.errorAt(open.pos, "min "+strconv.FormatUint(min, 10)+" is above max "+strconv.FormatUint(max, 10))
		return
	}
	t.Min, t.Max = min, max
}

// literal parses the value of a default, const or when clause.
func (p *parser) literal() *Literal {
	t := p.cur()
	l := &Literal{Pos: t.pos}
	switch {
	case t.kind == tInt:
		l.Kind, l.Int = IntLit, t.num
	case t.kind == tString:
		l.Kind, l.Str = StringLit, t.str
	case t.is("true"), t.is("false"):
		l.Kind, l.Bool = BoolLit, t.text == "true"
	case t.kind == tIdent:
		l.Kind, l.Ident = IdentLit, t.text
	default:
		p.failExpected("a number, string, true, false or enum value name")
	}
	p.next()
	return l
}

// typeString formats a type expression as written, without limits.
func typeString(t *Type) string {
	if t == nil {
		return "?"
	}
	switch t.Kind {
	case List, Set:
		if t.Terminated {
			return t.Kind.String() + "<" + typeString(t.Elem) + ", terminated>"
		}
		return t.Kind.String() + "<" + typeString(t.Elem) + ">"
	case Map:
		return "map<" + typeString(t.Key) + ", " + typeString(t.Elem) + ">"
	case Optional:
		if t.Empty {
			return "optional<" + typeString(t.Elem) + ", empty>"
		}
		return "optional<" + typeString(t.Elem) + ">"
	case Ref:
		if t.Qual != "" {
			return t.Qual + "." + t.Name
		}
		return t.Name
	}
	return t.Kind.String()
}
