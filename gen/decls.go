package gen

import (
	"strconv"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/nixwire/nixwire/schema"
)

// The declarations of a generated file: named types, enums, structs and
// unions with their methods and functions.

// fileGen generates one file.
type fileGen struct {
	ir  *irPackage
	pkg *schema.Package
	f   *jen.File
	out *outlined // the helpers and aliases of deeply nested types (emit_outline.go)
}

// qual returns the Go identifier name declared in the package of r.
func (g *fileGen) qual(r *declRef, name string) *jen.Statement {
	if r == nil || r.pkg == nil || r.pkg == g.pkg || r.pkg.Path == "" || r.pkg.Path == g.pkg.Path {
		return jen.Id(name)
	}
	return jen.Qual(r.pkg.Path, name)
}

// goType returns the Go type of a value of t.
func (g *fileGen) goType(t *typ) *jen.Statement {
	if t.outline && t.ref == nil {
		return g.alias(t)
	}
	if t.ref != nil {
		return g.qual(t.ref, t.ref.name)
	}
	switch t.kind {
	case kBytes:
		return jen.Index().Byte()
	case kList:
		return jen.Index().Add(g.goType(t.elem))
	case kMap:
		return jen.Map(g.goType(t.key)).Add(g.goType(t.elem))
	case kOptional:
		if t.elem.kind == kUnion { // the interface itself, nil meaning none
			return g.goType(t.elem)
		}
		return jen.Op("*").Add(g.goType(t.elem))
	case kOptEmpty:
		return g.goType(t.elem)
	}
	return jen.Id(t.goBuiltin())
}

// enumConst returns the Go constant of an enum value.
func (g *fileGen) enumConst(e *enumIR, v *schema.EnumValue) *jen.Statement {
	return g.qual(e.t.ref, e.decl.Name+v.Name)
}

// featureConst returns the Go constant of a feature.
func (g *fileGen) featureConst(f *schema.Feature) *jen.Statement {
	return g.qual(&declRef{pkg: f.Pkg}, "Feature"+f.Name)
}

// doc renders text as a comment, one // line per line; the default when
// text is empty.
func doc(text, def string) *jen.Statement {
	text = strings.TrimSpace(text)
	if text == "" {
		text = def
	}
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		l = strings.TrimRight(l, " \t")
		if l == "" {
			lines[i] = "//"
		} else {
			lines[i] = "// " + l
		}
	}
	return jen.Comment(strings.Join(lines, "\n"))
}

// comment adds a comment to the file, as // lines.
// A comment starts a new declaration: a blank line precedes it.
func (g *fileGen) comment(text string) {
	g.f.Line()
	g.f.Add(doc(text, ""))
}

// withLines appends paragraphs to a doc text. A paragraph of one line (the
// generator's own sentences) is wrapped to a comfortable width; the lines
// of longer ones (docs from the schema) are kept as written.
func withLines(text string, more ...string) string {
	text = strings.TrimSpace(text)
	for _, m := range more {
		if m == "" {
			continue
		}
		if text != "" {
			text += "\n\n"
		}
		if strings.Contains(m, "\n") {
			text += strings.TrimSpace(m)
		} else {
			text += wrapText(m, 76)
		}
	}
	return text
}

// wrapText breaks a paragraph into lines of at most width bytes (longer
// words stay whole).
func wrapText(s string, width int) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(s) {
		switch {
		case i == 0:
		case n+1+len(w) > width:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

// genVersion asserts that the runtime suits the generated code:
//
//	const _ = wire.GenVersion1
func (g *fileGen) genVersion() {
	g.comment("This file needs the wire runtime that nixwire-gen generates for;\nregenerate it if this does not compile.")
	g.f.Const().Id("_").Op("=").Add(wireID("GenVersion1"))
}

// assertions asserts that every type of the file is a wire.Message:
//
//	var (
//		_ wire.Message = (*StorePath)(nil)
//		...
//	)
func (g *fileGen) assertions(names []string) {
	if len(names) == 0 {
		return
	}
	var defs []jen.Code
	for _, n := range names {
		defs = append(defs, jen.Id("_").Add(wireID("Message")).Op("=").Parens(jen.Op("*").Id(n)).Call(jen.Nil()))
	}
	g.f.Line()
	g.f.Var().Defs(defs...)
}

// features declares the features of the file:
//
//	// FeatureX is the negotiated feature "x".
//	const FeatureX = "x"
func (g *fileGen) features(fs []*schema.Feature) {
	if len(fs) == 0 {
		return
	}
	var defs []jen.Code
	for _, f := range fs {
		name := "Feature" + f.Name
		text := withLines("", name+" is the name of the negotiated protocol feature "+f.Name+".")
		defs = append(defs, doc(withLines(text, f.Doc), ""), jen.Id(name).Op("=").Lit(f.Value))
	}
	g.f.Line()
	g.f.Const().Defs(defs...)
}

// named declares a named type and its methods:
//
//	type StorePath string
func (g *fileGen) named(n *namedIR) {
	name := n.decl.Name
	text := withLines(n.decl.Doc)
	if text == "" {
		text = name + " is " + article(typeSpell(n.under)) + "."
	}
	if lim := limitSpell(n.under); lim != "" {
		text = withLines(text, upperFirst(lim)+".")
	}
	if n.decl.Validate {
		text = withLines(text, "Encoding and decoding call its hand-written Validate method.")
	}
	g.comment(text)
	g.f.Type().Id(name).Add(g.goType(n.under))
	v := deref(local("m"))
	g.messageMethods(name,
		func(c *fn) (int, []jen.Code) { return c.size(n.t, v) },
		func(c *fn) []jen.Code { return c.value(n.t, v, fieldPath{}) })
	g.namedJSON(n)
}

// enum declares an enum, its constants, String, Valid and its methods:
//
//	type BuildMode uint64
//
//	const (
//		BuildModeNormal BuildMode = 0
//		...
//	)
//
//	func (v BuildMode) String() string
//	func (v BuildMode) Valid(p wire.Proto) bool
func (g *fileGen) enum(e *enumIR) {
	d := e.decl
	name := d.Name
	text := withLines(d.Doc)
	if text == "" {
		text = name + " is an enum, a u64 on the wire."
	}
	if d.Open {
		text = withLines(text, "It is open: decoding keeps values it does not know.")
	}
	g.comment(text)
	g.f.Type().Id(name).Uint64()

	if len(d.Values) > 0 {
		var defs []jen.Code
		for _, v := range d.Values {
			cname := name + v.Name
			vdoc := withLines("", cname+" is the "+name+" value "+v.Name+".", v.Doc)
			if gs := gateProse(v.Gate, g.pkg); gs != "" {
				vdoc = withLines(vdoc, "It exists "+gs+"; encoding it elsewhere is an error (wire.ErrVersion).")
			}
			defs = append(defs, doc(vdoc, ""), jen.Id(cname).Id(name).Op("=").Add(num(v.Value)))
		}
		g.f.Line()
		g.f.Const().Defs(defs...)
	}

	// String
	var cases []jen.Code
	for _, v := range d.Values {
		cases = append(cases, jen.Case(jen.Id(name+v.Name)).Block(jen.Return(jen.Lit(v.Name))))
	}
	unknown := jen.Return(jen.Lit(name+"(").Op("+").Qual(strconvPkg, "FormatUint").Call(jen.Uint64().Call(jen.Id("v")), jen.Lit(10)).Op("+").Lit(")"))
	g.comment("String returns the schema name of v, or " + name + "(n) for a value that is not one of the enum's.")
	if len(cases) == 0 {
		g.f.Func().Params(jen.Id("v").Id(name)).Id("String").Params().String().Block(unknown)
	} else {
		g.f.Func().Params(jen.Id("v").Id(name)).Id("String").Params().String().Block(jen.Switch(jen.Id("v")).Block(cases...), unknown)
	}

	// Valid
	cases = nil
	var always []jen.Code
	for _, v := range d.Values {
		if v.Gate.Always() {
			always = append(always, jen.Id(name+v.Name))
		}
	}
	if len(always) > 0 {
		cases = append(cases, jen.Case(always...).Block(jen.Return(jen.True())))
	}
	for _, v := range e.gated {
		cases = append(cases, jen.Case(jen.Id(name+v.Name)).Block(jen.Return(g.gateCond(v.Gate))))
	}
	g.comment("Valid reports whether v is one of the enum's values and exists at p.")
	body := []jen.Code{jen.Return(jen.False())}
	if len(cases) > 0 {
		body = append([]jen.Code{jen.Switch(jen.Id("v")).Block(cases...)}, body...)
	}
	g.f.Func().Params(jen.Id("v").Id(name)).Id("Valid").Params(jen.Id("p").Add(wireID("Proto"))).Bool().Block(body...)

	v := deref(local("m"))
	g.messageMethods(name,
		func(c *fn) (int, []jen.Code) { return c.size(e.t, v) },
		func(c *fn) []jen.Code { return c.value(e.t, v, fieldPath{}) })
	g.enumJSON(e)
}

// structDoc returns the doc comment of a struct.
func structDoc(s *structIR) string {
	d := s.decl
	text := withLines(d.Doc)
	if text != "" {
		return text
	}
	switch {
	case d.Op != nil && d.Op.Request != nil && d.Op.Request.Decl == schema.Decl(d):
		return d.Name + " is the request of the " + d.Op.Name + " operation."
	case d.Op != nil:
		return d.Name + " is the reply of the " + d.Op.Name + " operation."
	case s.union != nil:
		for _, v := range s.union.variants {
			if v.s == s {
				return d.Name + " is the variant " + strconv.FormatUint(v.v.Tag, 10) + " of the union " + s.union.decl.Name + "."
			}
		}
	}
	return d.Name + " is a message."
}

// fieldDecl declares field f of struct s, with its doc comment if it has
// something to say.
func (g *fileGen) fieldDecl(s *structIR, f *fieldIR) []jen.Code {
	var out []jen.Code
	if text := fieldDoc(s, f); text != "" {
		out = append(out, doc(text, ""))
	}
	return append(out, jen.Id(f.f.Name).Add(g.goType(f.t)))
}

// structDecl declares a struct and its methods:
//
//	type PathInfo struct {
//		Path StorePath
//		...
//	}
func (g *fileGen) structDecl(s *structIR) {
	name := s.decl.Name
	var fields []jen.Code
	if s.decl.Derived != nil {
		g.comment(withLines(structDoc(s), constDoc(s), derivedDoc(s)))
		fields = g.derivedFields(s)
	} else {
		g.comment(withLines(structDoc(s), constDoc(s)))
		for _, f := range s.fields {
			fields = append(fields, g.fieldDecl(s, f)...)
		}
	}
	g.f.Type().Id(name).Struct(fields...)
	m := local("m")
	g.messageMethods(name,
		func(c *fn) (int, []jen.Code) { return c.structSize(s, m) },
		func(c *fn) []jen.Code { return c.structBody(s, m) })
	g.encodeWireSlow(name, s, m)
	if s.decl.Derived != nil {
		g.wireBase(s)
	}
	// A derived struct gets JSON methods of its own whenever its base has
	// them (a field holding a union): the promoted ones would drop the
	// added fields.
	g.structJSON(s)
	if s.union != nil {
		g.comment(unionMarker(s.union) + " makes " + name + " a variant of " + s.union.decl.Name + ".")
		g.f.Func().Params(jen.Op("*").Id(name)).Id(unionMarker(s.union)).Params().Block()
	}
}

// unionMarker is the unexported method that makes a struct a variant.
func unionMarker(u *unionIR) string { return "is" + u.decl.Name }

// messageMethods emits the wire.Message methods and WireTypeName of the
// type name, whose bodies size and body return.
func (g *fileGen) messageMethods(name string, size func(c *fn) (int, []jen.Code), body func(c *fn) []jen.Code) {
	recv := jen.Id("m").Op("*").Id(name)
	proto := jen.Id("p").Add(wireID("Proto"))

	// func (m *T) WireSize(p wire.Proto) int
	c := g.newFn(mSize, name, nil)
	fixed, code := size(c)
	var sizeBody []jen.Code
	if len(code) == 0 {
		sizeBody = []jen.Code{jen.Return(jen.Lit(fixed))}
	} else {
		sizeBody = append([]jen.Code{jen.Id("n").Op(":=").Lit(fixed)}, code...)
		sizeBody = append(sizeBody, jen.Return(jen.Id("n")))
	}
	g.comment("WireSize returns the exact size of the encoding of m at p.")
	g.f.Func().Params(recv.Clone()).Id("WireSize").Params(proto.Clone()).Int().Block(sizeBody...)

	// func (m *T) AppendWire(b []byte, p wire.Proto) ([]byte, error)
	c = g.newFn(mAppend, name, nil)
	c.ret = func(err jen.Code) jen.Code { return jen.Return(jen.Id("b").Index(jen.Empty(), c.use("start")), err) }
	code = body(c)
	code = append(c.prologue(), code...)
	code = append(code, jen.Return(jen.Id("b"), jen.Nil()))
	g.comment("AppendWire appends the encoding of m at p to b. It fails, returning b\nunchanged in length, on a value that cannot be encoded at p.")
	g.f.Func().Params(recv.Clone()).Id("AppendWire").Params(jen.Id("b").Index().Byte(), proto.Clone()).
		Params(jen.Index().Byte(), jen.Error()).Block(code...)

	// func (m *T) ConsumeWire(b []byte, p wire.Proto) ([]byte, error)
	c = g.newFn(mConsume, name, nil)
	c.ret = func(err jen.Code) jen.Code { return jen.Return(c.use("orig"), err) }
	code = body(c)
	code = append(c.prologue(), code...)
	code = append(code, jen.Return(jen.Id("b"), jen.Nil()))
	g.comment("ConsumeWire decodes m at p from the front of b, overwriting m and\nreusing its slices and maps, and returns the rest of b (all of b on an\nerror).")
	g.f.Func().Params(recv.Clone()).Id("ConsumeWire").Params(jen.Id("b").Index().Byte(), proto.Clone()).
		Params(jen.Index().Byte(), jen.Error()).Block(code...)

	// func (m *T) EncodeWire(w *wire.Writer, p wire.Proto) error
	c = g.newFn(mEncode, name, nil)
	c.ret = func(err jen.Code) jen.Code { return jen.Return(err) }
	code = body(c)
	code = append(c.prologue(), code...)
	code = append(code, jen.Return(jen.Id("w").Dot("Err").Call()))
	g.comment("EncodeWire writes the encoding of m at p to w, without flushing it. On\nan error nothing of m stays in the stream: what was written is taken back\nif still buffered, else w fails from then on (wire.ErrPartial).")
	g.f.Func().Params(recv.Clone()).Id("EncodeWire").Params(jen.Id("w").Op("*").Add(wireID("Writer")), proto.Clone()).
		Error().Block(code...)

	// func (m *T) DecodeWire(r *wire.Reader, p wire.Proto) error
	c = g.newFn(mDecode, name, nil)
	c.ret = func(err jen.Code) jen.Code { return jen.Return(err) }
	code = body(c)
	code = append(c.prologue(), code...)
	code = append(code, jen.Return(jen.Nil()))
	g.comment("DecodeWire reads m at p from r, overwriting m and reusing its slices\nand maps.")
	g.f.Func().Params(recv.Clone()).Id("DecodeWire").Params(jen.Id("r").Op("*").Add(wireID("Reader")), proto.Clone()).
		Error().Block(code...)

	// func (m *T) WireTypeName() string
	g.comment("WireTypeName returns \"" + name + "\", the name of the type in errors.")
	g.f.Func().Params(jen.Op("*").Id(name)).Id("WireTypeName").Params().String().Block(jen.Return(jen.Lit(name)))
}

// prologue declares the function-level variables that the body uses:
//
//	start := len(b)    orig := b    start := r.Offset()
//	var err error
func (c *fn) prologue() []jen.Code {
	var code []jen.Code
	if c.used["start"] {
		switch c.mode {
		case mAppend:
			code = append(code, jen.Id("start").Op(":=").Len(jen.Id("b")))
		case mDecode:
			code = append(code, jen.Id("start").Op(":=").Id("r").Dot("Offset").Call())
		}
	}
	if c.used["orig"] {
		code = append(code, jen.Id("orig").Op(":=").Id("b"))
	}
	if c.used["err"] {
		code = append(code, jen.Var().Id("err").Error())
	}
	return code
}

// article puts "a" or "an" before a type's spelling, by its first letter
// ("an optional<T>", "a u64" (read "you"), "an i64", "an UnkeyedInfo",
// "a StorePath").
func article(spelling string) string {
	if spelling != "" && strings.ContainsRune("aeioAEIOU", rune(spelling[0])) {
		return "an " + spelling
	}
	return "a " + spelling
}
