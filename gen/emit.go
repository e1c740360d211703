package gen

import (
	"strconv"

	"github.com/dave/jennifer/jen"
	"github.com/nixwire/nixwire/wire"
)

// The emission framework: the state of one generated function (fn), value
// expressions (val), field paths for error messages (fieldPath) and the
// dispatch from a type's kind to its emitter.

const (
	wirePkg    = "github.com/nixwire/nixwire/wire"
	strconvPkg = "strconv"
	mathPkg    = "math"
	slicesPkg  = "slices"
)

// mode is the generated function being emitted.
type mode int

const (
	mSize    mode = iota // WireSize: adds to n
	mAppend              // AppendWire: appends to b
	mConsume             // ConsumeWire: reads from b, orig is the input
	mEncode              // EncodeWire: writes to w
	mDecode              // DecodeWire: reads from r, start is where the value began
)

// fn is the state of one generated function body.
type fn struct {
	g    *fileGen
	mode mode
	typ  string // the type named in error messages
	// ret returns the statement that returns the (wrapped) error err from
	// the function.
	ret  func(err jen.Code) jen.Code
	tmp  map[string]int  // temporaries made, by prefix
	used map[string]bool // names referenced: "err", "orig", "start", loop variables
	// at is the fixed version of the value being emitted (a field with an
	// at clause, and what it contains); nil: the function's p.
	at *wire.Version
	// self is the outlined type whose helper this function is, which
	// must not call itself (see emit_outline.go); nil in other functions.
	self *typ
}

// proto returns the protocol the value being emitted is encoded at: the
// function's p, or a fixed version without features.
//
//	p    wire.Proto{Version: 0x110}
func (c *fn) proto() *jen.Statement {
	if c.at != nil {
		return wireID("Proto").Values(jen.Id("Version").Op(":").Id(hexVersion(*c.at)))
	}
	return jen.Id("p")
}

// pinned runs emit with the value's protocol fixed at v (if not nil).
func (c *fn) pinned(v *wire.Version, emit func()) {
	if v == nil {
		emit()
		return
	}
	old := c.at
	c.at = v
	emit()
	c.at = old
}

func (g *fileGen) newFn(m mode, typ string, ret func(err jen.Code) jen.Code) *fn {
	return &fn{g: g, mode: m, typ: typ, ret: ret, tmp: map[string]int{}, used: map[string]bool{}}
}

// use returns the identifier name and records that the function refers to it.
func (c *fn) use(name string) *jen.Statement {
	c.used[name] = true
	return jen.Id(name)
}

// temp returns a new local name: prefix followed by a number.
func (c *fn) temp(prefix string) string {
	n := c.tmp[prefix]
	c.tmp[prefix] = n + 1
	return prefix + strconv.Itoa(n)
}

// wireID returns the qualified identifier wire.name.
func wireID(name string) *jen.Statement { return jen.Qual(wirePkg, name) }

// num renders an unsigned constant in decimal.
func num(v uint64) *jen.Statement { return jen.Id(strconv.FormatUint(v, 10)) }

// val is a Go expression for a value being encoded or decoded.
type val struct {
	x     func() *jen.Statement // the expression; assignable when decoding
	ptr   func() *jen.Statement // its address when it is at hand (for method calls), else nil
	paren bool                  // x needs parentheses as the operand of a selector, index or slice
}

// expr returns the expression.
func (v val) expr() *jen.Statement { return v.x() }

// operand returns the expression, parenthesized if it has to be.
func (v val) operand() *jen.Statement {
	if v.paren {
		return jen.Parens(v.x())
	}
	return v.x()
}

// recv returns the expression to call a pointer method on.
func (v val) recv() *jen.Statement {
	if v.ptr != nil {
		return v.ptr()
	}
	return v.operand()
}

// local is the value of a local variable.
func local(name string) val { return val{x: func() *jen.Statement { return jen.Id(name) }} }

// field is base.name.
func field(base val, name string) val {
	return val{x: func() *jen.Statement { return base.operand().Dot(name) }}
}

// deref is *p.
func deref(p val) val {
	return val{x: func() *jen.Statement { return jen.Op("*").Add(p.operand()) }, ptr: p.x, paren: true}
}

// indexed is s[i] for local names s and i.
func indexed(s, i string) val {
	return val{x: func() *jen.Statement { return jen.Id(s).Index(jen.Id(i)) }}
}

// fieldPath is the path of a value below the type named in errors, built
// at run time only on the error path.
type fieldPath []pathSeg

type pathSeg struct {
	lit string                     // a literal part
	dyn func(c *fn) *jen.Statement // or a string expression
}

// add returns p followed by the literal s.
func (p fieldPath) add(s string) fieldPath {
	return append(p[:len(p):len(p)], pathSeg{lit: s})
}

// index returns p followed by "[i]" for the int variable i.
func (p fieldPath) index(i string) fieldPath {
	return append(p[:len(p):len(p)], pathSeg{lit: "["}, pathSeg{dyn: func(c *fn) *jen.Statement {
		return jen.Qual(strconvPkg, "Itoa").Call(c.use(i))
	}}, pathSeg{lit: "]"})
}

// entry returns p followed by "[#i]": the i-th entry of a map, for errors
// in a key.
func (p fieldPath) entry(i string) fieldPath {
	return append(p[:len(p):len(p)], pathSeg{lit: "[#"}, pathSeg{dyn: func(c *fn) *jen.Statement {
		return jen.Qual(strconvPkg, "Itoa").Call(c.use(i))
	}}, pathSeg{lit: "]"})
}

// key returns p followed by "[k]" for a map key k of type t, as a Go literal.
func (p fieldPath) key(k val, t *typ) fieldPath {
	return append(p[:len(p):len(p)], pathSeg{lit: "["}, pathSeg{dyn: func(c *fn) *jen.Statement {
		switch t.kind {
		case kString:
			return jen.Qual(strconvPkg, "Quote").Call(jen.String().Call(k.expr()))
		case kInt:
			return jen.Qual(strconvPkg, "FormatInt").Call(jen.Int64().Call(k.expr()), jen.Lit(10))
		case kEnum:
			return k.recv().Dot("String").Call()
		}
		return jen.Qual(strconvPkg, "FormatUint").Call(jen.Uint64().Call(k.expr()), jen.Lit(10))
	}}, pathSeg{lit: "]"})
}

// code returns the path as a string expression.
func (p fieldPath) code(c *fn) *jen.Statement {
	var parts []*jen.Statement
	lit := ""
	for _, s := range p {
		if s.dyn == nil {
			lit += s.lit
			continue
		}
		if lit != "" {
			parts = append(parts, jen.Lit(lit))
			lit = ""
		}
		parts = append(parts, s.dyn(c))
	}
	if lit != "" || len(parts) == 0 {
		parts = append(parts, jen.Lit(lit))
	}
	e := parts[0]
	for _, q := range parts[1:] {
		e = e.Op("+").Add(q)
	}
	return e
}

// offset computes, on a decode error path, where the failing value began:
// relative to the start of the value being consumed (byte path) or
// absolute (stream path).
type offset func(c *fn) jen.Code

// offHere: the failing value begins at the current position (a read that
// failed consumes nothing).
func offHere(c *fn) jen.Code {
	if c.mode == mConsume {
		return jen.Len(c.use("orig")).Op("-").Len(jen.Id("b"))
	}
	return jen.Id("r").Dot("ValueOffset").Call()
}

// offBack: the failing value is the one just read, size bytes long.
func offBack(size func() jen.Code) offset {
	return func(c *fn) jen.Code {
		if c.mode == mConsume {
			return jen.Len(c.use("orig")).Op("-").Len(jen.Id("b")).Op("-").Add(size())
		}
		return jen.Id("r").Dot("ValueOffset").Call()
	}
}

// offMark: the failing value began where the mark variable was set (see
// mark).
func offMark(name string) offset {
	return func(c *fn) jen.Code {
		if c.mode == mConsume {
			return jen.Len(c.use("orig")).Op("-").Id(name)
		}
		return jen.Id(name)
	}
}

// offStart: the failing value is at the start of the function's value.
func offStart(c *fn) jen.Code {
	if c.mode == mConsume {
		return jen.Lit(0)
	}
	return c.use("start")
}

// mark declares a variable holding the current position, for offMark:
//
//	s0 := len(b)        // byte path
//	s0 := r.Offset()    // stream path
func (c *fn) mark() (string, jen.Code) {
	name := c.temp("s")
	if c.mode == mConsume {
		return name, jen.Id(name).Op(":=").Len(jen.Id("b"))
	}
	return name, jen.Id(name).Op(":=").Id("r").Dot("Offset").Call()
}

// wrap returns err wrapped with the type, path and (decoding) offset:
//
//	wire.EncodeError("T", ".F", err)
//	wire.ConsumeError("T", ".F", len(orig)-len(b), err)
//	wire.ReadError("T", ".F", r.ValueOffset(), start, err)
func (c *fn) wrap(p fieldPath, off offset, err jen.Code) jen.Code {
	switch c.mode {
	case mAppend, mEncode:
		return wireID("EncodeError").Call(jen.Lit(c.typ), p.code(c), err)
	case mConsume:
		return wireID("ConsumeError").Call(jen.Lit(c.typ), p.code(c), off(c), err)
	case mDecode:
		return wireID("ReadError").Call(jen.Lit(c.typ), p.code(c), off(c), c.use("start"), err)
	}
	panic("gen: wrap in WireSize")
}

// fail returns the statement that returns err wrapped with p and off.
func (c *fn) fail(p fieldPath, off offset, err jen.Code) jen.Code {
	return c.ret(c.wrap(p, off, err))
}

// failIf is `if cond { fail }`.
func (c *fn) failIf(cond jen.Code, p fieldPath, off offset, err jen.Code) jen.Code {
	return jen.If(cond).Block(c.fail(p, off, err))
}

// read emits a read whose results are lhs (then b on the byte path) and
// err, failing at the current position:
//
//	if lhs, b, err = call; err != nil { return orig, wire.ConsumeError(...) }
//	if lhs, err = call; err != nil { return wire.ReadError(...) }
func (c *fn) read(lhs jen.Code, call jen.Code, p fieldPath) jen.Code {
	list := []jen.Code{lhs}
	if lhs == nil {
		list = nil
	}
	if c.mode == mConsume {
		list = append(list, jen.Id("b"))
	}
	list = append(list, c.use("err"))
	return jen.If(jen.List(list...).Op("=").Add(call), c.use("err").Op("!=").Nil()).Block(
		c.fail(p, offHere, c.use("err")))
}

// emitter emits the code of one kind of type for each of the five
// functions. v is the value (assigned to when decoding), p its path.
type emitter interface {
	// size returns the constant part of the size and statements adding
	// the rest to n.
	size(c *fn, t *typ, v val) (int, []jen.Code)
	appendTo(c *fn, t *typ, v val, p fieldPath) []jen.Code
	consume(c *fn, t *typ, v val, p fieldPath) []jen.Code
	encode(c *fn, t *typ, v val, p fieldPath) []jen.Code
	decode(c *fn, t *typ, v val, p fieldPath) []jen.Code
}

var emitters map[kind]emitter

func init() {
	emitters = map[kind]emitter{
		kUint:     uintEmitter{},
		kInt:      intEmitter{},
		kBool:     boolEmitter{},
		kString:   packetEmitter{},
		kBytes:    packetEmitter{},
		kEnum:     enumEmitter{},
		kStruct:   structEmitter{},
		kUnion:    unionEmitter{},
		kList:     listEmitter{},
		kMap:      mapEmitter{},
		kOptional: optionalEmitter{},
		kOptEmpty: optEmptyEmitter{},
	}
}

// size returns the size of v: a constant and statements adding to n.
func (c *fn) size(t *typ, v val) (int, []jen.Code) {
	if c.outlines(t) {
		return c.outlinedSize(t, v)
	}
	return emitters[t.kind].size(c, t, v)
}

// value returns the code that encodes or decodes v, of type t, at path p,
// in the function's mode. Named types with a Validate method are checked
// before encoding and after decoding:
//
//	if err = v.Validate(); err != nil { return ..., wire.EncodeError("T", ".F", err) }
func (c *fn) value(t *typ, v val, p fieldPath) []jen.Code {
	if c.outlines(t) {
		return c.outlinedValue(t, v, p)
	}
	e := emitters[t.kind]
	switch c.mode {
	case mAppend, mEncode:
		var code []jen.Code
		if t.validate {
			code = append(code, c.validate(v, p, nil))
		}
		if c.mode == mAppend {
			return append(code, e.appendTo(c, t, v, p)...)
		}
		return append(code, e.encode(c, t, v, p)...)
	case mConsume, mDecode:
		var code []jen.Code
		var off offset
		if t.validate {
			off = c.valueStart(t, v)
			if off == nil {
				name, decl := c.mark()
				code = append(code, decl)
				off = offMark(name)
			}
		}
		if c.mode == mConsume {
			code = append(code, e.consume(c, t, v, p)...)
		} else {
			code = append(code, e.decode(c, t, v, p)...)
		}
		if t.validate {
			code = append(code, c.validate(v, p, off))
		}
		return code
	}
	panic("gen: value in WireSize")
}

// validate is `if err = v.Validate(); err != nil { fail }`.
func (c *fn) validate(v val, p fieldPath, off offset) jen.Code {
	return jen.If(c.use("err").Op("=").Add(v.recv()).Dot("Validate").Call(), c.use("err").Op("!=").Nil()).Block(
		c.fail(p, off, c.use("err")))
}

// valueStart returns the offset of a value of t just decoded into v, when
// it can be computed from v; nil when a mark is needed.
func (c *fn) valueStart(t *typ, v val) offset {
	switch t.kind {
	case kUint, kInt, kBool, kEnum:
		return offBack(func() jen.Code { return jen.Lit(8) })
	case kString, kBytes, kOptEmpty:
		return offBack(func() jen.Code { return wireID("BytesSize").Call(jen.Len(v.expr())) })
	}
	return nil
}
