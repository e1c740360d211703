package gen

import (
	"strconv"

	"github.com/dave/jennifer/jen"
	"github.com/nixwire/nixwire/wire"
)

// Outlining: a collection nested more than outlineDepth collections deep
// in a type expression is encoded by helper functions of its own, called
// like the methods of a struct field, and its Go type is spelled through
// an alias. Inlined, every level would indent the levels below it, spell
// their whole field path in its errors and their whole Go type in its
// allocations, so the code would grow with the square of the nesting
// depth; outlined, each helper holds a bounded number of levels, paths
// start again at its value (the caller's wrapping re-roots them, see
// wire.EncodeError) and types are spelled by name, so the code grows
// linearly with the schema. Types of real protocols nest far less and
// stay inline.

// outlineDepth is how many collections a type nests inline.
const outlineDepth = 4

// markOutlines marks the collections of every type expression of the
// package that are nested more than outlineDepth levels below the last
// outlined one (or the root).
func (ir *irPackage) markOutlines() {
	var walk func(t *typ, depth int)
	walk = func(t *typ, depth int) {
		if t == nil || !isCollection(t) && t.kind != kOptEmpty {
			return
		}
		if isCollection(t) {
			if depth >= outlineDepth {
				t.outline = true
				depth = 0
			}
			depth++
		}
		walk(t.key, depth)
		walk(t.elem, depth)
	}
	for _, s := range ir.structs {
		for _, f := range s.fields {
			walk(f.t, 0)
		}
		for _, l := range s.layouts {
			for _, e := range l.elems {
				walk(e.t, 0)
			}
		}
		for _, e := range s.elems {
			walk(e.t, 0)
		}
	}
	for _, n := range ir.named {
		walk(n.under, 0)
	}
}

// isCollection reports whether t nests other values inline.
func isCollection(t *typ) bool {
	return t.kind == kList || t.kind == kMap || t.kind == kOptional
}

// outlined is what one file declares for outlined types.
type outlined struct {
	file    int                   // the index of the file, which makes its names unique in the package
	helpers map[helperKey]*helper // by type and fixed version
	aliases map[*typ]string       // the alias of each outlined type's Go type
	decls   []jen.Code            // the declarations, added at the end of the file
	json    map[*typ]int          // the numbers of the JSON helpers (emit_json.go)
	order   []helperKey           // helpers in the order they were made, for numbering
}

func newOutlined(file int) *outlined {
	return &outlined{file: file, helpers: map[helperKey]*helper{}, aliases: map[*typ]string{}}
}

// helperKey identifies the helpers of one type expression at one fixed
// version (0: the caller's protocol).
type helperKey struct {
	t  *typ
	at wire.Version
}

// helper is the number of an outlined type's functions and which of them
// have been emitted.
type helper struct {
	n    int
	done [mDecode + 1]bool
}

// prefix begins the names of the file's outlined declarations.
func (o *outlined) prefix() string { return "nestedF" + strconv.Itoa(o.file) }

// alias returns the name of the alias of t's Go type, declaring it the
// first time:
//
//	type nestedF0T2 = []map[string]nestedF0T3
func (g *fileGen) alias(t *typ) *jen.Statement {
	o := g.out
	if name, ok := o.aliases[t]; ok {
		return jen.Id(name)
	}
	name := o.prefix() + "T" + strconv.Itoa(len(o.aliases))
	o.aliases[t] = name
	t.outline = false // spell the type itself, its nested outlined types by their aliases
	gt := g.goType(t)
	t.outline = true
	o.decls = append(o.decls, jen.Line(),
		jen.Comment("// "+name+" is the Go type of a deeply nested "+t.kind.String()+", named to keep the code linear in the nesting depth."),
		jen.Type().Id(name).Op("=").Add(gt))
	return jen.Id(name)
}

// flushOutlined adds the file's outlined declarations at its end.
func (g *fileGen) flushOutlined() {
	for _, d := range g.out.decls {
		g.f.Add(d)
	}
}

// outlines reports whether a value of t is emitted through helpers here.
func (c *fn) outlines(t *typ) bool { return t.outline && t != c.self }

var helperVerbs = [...]string{mSize: "Size", mAppend: "Append", mConsume: "Consume", mEncode: "Encode", mDecode: "Decode"}

// helperName returns the name of t's helper for the function's mode,
// emitting the helper the first time:
//
//	nestedF0Append3
func (c *fn) helperName(t *typ) string {
	o := c.g.out
	key := helperKey{t: t}
	if c.at != nil {
		key.at = *c.at
	}
	h := o.helpers[key]
	if h == nil {
		h = &helper{n: len(o.order)}
		o.helpers[key] = h
		o.order = append(o.order, key)
	}
	name := o.prefix() + helperVerbs[c.mode] + strconv.Itoa(h.n)
	if !h.done[c.mode] {
		h.done[c.mode] = true
		c.g.emitHelper(name, t, c.mode, c.typ, c.at)
	}
	return name
}

// emitHelper emits the helper name of t for mode m, whose errors name
// the type typ:
//
//	func nestedF0Size3(v T, p wire.Proto) int
//	func nestedF0Append3(b []byte, v T, p wire.Proto) ([]byte, error)
//	func nestedF0Consume3(b []byte, v *T, p wire.Proto) ([]byte, error)
//	func nestedF0Encode3(w *wire.Writer, v T, p wire.Proto) error
//	func nestedF0Decode3(r *wire.Reader, v *T, p wire.Proto) error
func (g *fileGen) emitHelper(name string, t *typ, m mode, typ string, at *wire.Version) {
	c := g.newFn(m, typ, nil)
	c.at, c.self = at, t
	proto := jen.Id("p").Add(wireID("Proto"))
	gt := g.goType(t)
	byValue, byPtr := local("v"), deref(local("v"))
	var params, results, code []jen.Code
	switch m {
	case mSize:
		fixed, sc := c.size(t, byValue)
		code = append([]jen.Code{jen.Id("n").Op(":=").Lit(fixed)}, sc...)
		code = append(code, jen.Return(jen.Id("n")))
		params = []jen.Code{jen.Id("v").Add(gt), proto}
		results = []jen.Code{jen.Int()}
	case mAppend:
		c.ret = func(err jen.Code) jen.Code { return jen.Return(jen.Id("b").Index(jen.Empty(), c.use("start")), err) }
		code = c.value(t, byValue, fieldPath{})
		code = append(append(c.prologue(), code...), jen.Return(jen.Id("b"), jen.Nil()))
		params = []jen.Code{jen.Id("b").Index().Byte(), jen.Id("v").Add(gt), proto}
		results = []jen.Code{jen.Index().Byte(), jen.Error()}
	case mConsume:
		c.ret = func(err jen.Code) jen.Code { return jen.Return(c.use("orig"), err) }
		code = c.value(t, byPtr, fieldPath{})
		code = append(append(c.prologue(), code...), jen.Return(jen.Id("b"), jen.Nil()))
		params = []jen.Code{jen.Id("b").Index().Byte(), jen.Id("v").Op("*").Add(gt), proto}
		results = []jen.Code{jen.Index().Byte(), jen.Error()}
	case mEncode:
		c.ret = func(err jen.Code) jen.Code { return jen.Return(err) }
		code = c.value(t, byValue, fieldPath{})
		code = append(append(c.prologue(), code...), jen.Return(jen.Nil()))
		params = []jen.Code{jen.Id("w").Op("*").Add(wireID("Writer")), jen.Id("v").Add(gt), proto}
		results = []jen.Code{jen.Error()}
	case mDecode:
		c.ret = func(err jen.Code) jen.Code { return jen.Return(err) }
		code = c.value(t, byPtr, fieldPath{})
		code = append(append(c.prologue(), code...), jen.Return(jen.Nil()))
		params = []jen.Code{jen.Id("r").Op("*").Add(wireID("Reader")), jen.Id("v").Op("*").Add(gt), proto}
		results = []jen.Code{jen.Error()}
	}
	g.out.decls = append(g.out.decls, jen.Line(),
		jen.Comment("// "+name+" is the "+helperVerbs[m]+" code of a deeply nested "+t.kind.String()+" of "+typ+", outlined to keep the code linear in the nesting depth."),
		jen.Func().Id(name).Params(params...).Params(results...).Block(code...))
}

// outlinedSize is size through the helper: n += nestedF0Size3(v, p).
func (c *fn) outlinedSize(t *typ, v val) (int, []jen.Code) {
	return 0, []jen.Code{jen.Id("n").Op("+=").Id(c.helperName(t)).Call(v.expr(), c.proto())}
}

// outlinedValue is value through the helper, its error wrapped like that
// of a struct field:
//
//	if b, err = nestedF0Append3(b, v, p); err != nil { ... }
//	if b, err = nestedF0Consume3(b, &v, p); err != nil { ... }
//	if err = nestedF0Encode3(w, v, p); err != nil { ... }
//	if err = nestedF0Decode3(r, &v, p); err != nil { ... }
func (c *fn) outlinedValue(t *typ, v val, p fieldPath) []jen.Code {
	name := c.helperName(t)
	addr := func() *jen.Statement {
		if v.ptr != nil {
			return v.ptr()
		}
		return jen.Op("&").Add(v.operand())
	}
	switch c.mode {
	case mAppend:
		return []jen.Code{jen.If(jen.List(jen.Id("b"), c.use("err")).Op("=").Id(name).Call(jen.Id("b"), v.expr(), c.proto()),
			c.use("err").Op("!=").Nil()).Block(c.fail(p, nil, c.use("err")))}
	case mEncode:
		return []jen.Code{c.nestedEncode(jen.Id(name).Call(jen.Id("w"), v.expr(), c.proto()), p)}
	case mConsume:
		return []jen.Code{c.read(nil, jen.Id(name).Call(jen.Id("b"), addr(), c.proto()), p)}
	}
	return []jen.Code{c.read(nil, jen.Id(name).Call(jen.Id("r"), addr(), c.proto()), p)}
}
