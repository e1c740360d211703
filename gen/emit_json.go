package gen

import (
	"strconv"

	"github.com/dave/jennifer/jen"
)

// JSON and String: every generated type marshals to JSON and back
// without loss, and prints as one line of it.
//
//   - Enums implement encoding.TextMarshaler and TextUnmarshaler: a value
//     is its name, or its number when it is not one of the enum's (an
//     open enum keeps those), so enums are names also as map keys.
//   - A union value is an object with one member named by its variant:
//     {"GCPathsSpecific": {"Paths": [...], ...}}; nil is null. The
//     functions MarshalJSONU and UnmarshalJSONU do it, and the structs
//     whose fields hold unions (directly or in lists, maps and optionals)
//     get MarshalJSON and UnmarshalJSON methods that use them, since
//     encoding/json cannot decode into an interface.
//   - Everything else is what encoding/json does with the Go types: bytes
//     as base64, u64 as exact decimal numbers, optionals as null or the
//     value.
//   - Structs get String, the compact JSON.

const (
	jsonPkg   = "encoding/json"
	errorsPkg = "errors"
)

// hasUnion reports whether values of t hold union values that t's own Go
// type does not marshal: a union, or a list, map or optional of one. A
// declared type (named or struct) marshals itself.
func hasUnion(t *typ) bool {
	switch t.kind {
	case kUnion:
		return true
	case kList, kMap, kOptional:
		return t.ref == nil && hasUnion(t.elem)
	}
	return false
}

// rawMessage is the type json.RawMessage.
func rawMessage() *jen.Statement { return jen.Qual(jsonPkg, "RawMessage") }

// enumJSON declares MarshalText and UnmarshalText of an enum.
//
//	func (v BuildMode) MarshalText() ([]byte, error)
//	func (v *BuildMode) UnmarshalText(b []byte) error
func (g *fileGen) enumJSON(e *enumIR) {
	name := e.decl.Name
	var cases []jen.Code
	for _, v := range e.decl.Values {
		cases = append(cases, jen.Case(jen.Id(name+v.Name)).Block(jen.Return(jen.Index().Byte().Call(jen.Lit(v.Name)), jen.Nil())))
	}
	body := []jen.Code{}
	if len(cases) > 0 {
		body = append(body, jen.Switch(jen.Id("v")).Block(cases...))
	}
	body = append(body, jen.Return(jen.Qual(strconvPkg, "AppendUint").Call(jen.Nil(), jen.Uint64().Call(jen.Id("v")), jen.Lit(10)), jen.Nil()))
	g.comment("MarshalText returns the name of v, or its decimal number for a value\nthat is not one of the enum's, for JSON and other text encodings.")
	g.f.Func().Params(jen.Id("v").Id(name)).Id("MarshalText").Params().Params(jen.Index().Byte(), jen.Error()).Block(body...)

	cases = nil
	for _, v := range e.decl.Values {
		cases = append(cases, jen.Case(jen.Lit(v.Name)).Block(jen.Op("*").Id("v").Op("=").Id(name+v.Name), jen.Return(jen.Nil())))
	}
	body = []jen.Code{}
	if len(cases) > 0 {
		body = append(body, jen.Switch(jen.String().Call(jen.Id("b"))).Block(cases...))
	}
	body = append(body,
		jen.List(jen.Id("n"), jen.Err()).Op(":=").Qual(strconvPkg, "ParseUint").Call(jen.String().Call(jen.Id("b")), jen.Lit(10), jen.Lit(64)),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Qual(errorsPkg, "New").Call(
			jen.Lit(name+": unknown value ").Op("+").Qual(strconvPkg, "Quote").Call(jen.String().Call(jen.Id("b")))))),
		jen.Op("*").Id("v").Op("=").Id(name).Call(jen.Id("n")),
		jen.Return(jen.Nil()))
	g.comment("UnmarshalText sets v from a value name or a decimal number.")
	g.f.Func().Params(jen.Id("v").Op("*").Id(name)).Id("UnmarshalText").Params(jen.Id("b").Index().Byte()).Error().Block(body...)
}

// unionJSON declares the JSON functions of a union:
//
//	func MarshalJSONU(v U) ([]byte, error)  // {"A": {...}}, or null
//	func UnmarshalJSONU(b []byte) (U, error)
func (g *fileGen) unionJSON(u *unionIR) {
	name := u.decl.Name
	var cases []jen.Code
	for _, v := range u.variants {
		vn := v.s.decl.Name
		cases = append(cases, jen.Case(jen.Op("*").Id(vn)).Block(
			jen.If(jen.Id("x").Op("==").Nil()).Block(jen.Break()),
			jen.List(jen.Id("inner"), jen.Err()).Op(":=").Qual(jsonPkg, "Marshal").Call(jen.Id("x")),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			jen.Return(jen.Append(jen.Append(jen.Index().Byte().Call(jen.Lit(`{"`+vn+`":`)), jen.Id("inner").Op("...")), jen.Id("'}'")), jen.Nil()),
		))
	}
	var body []jen.Code
	if len(cases) > 0 {
		body = append(body, jen.Switch(jen.Id("x").Op(":=").Id("v").Assert(jen.Type())).Block(cases...))
	}
	body = append(body, jen.Return(jen.Index().Byte().Call(jen.Lit("null")), jen.Nil()))
	g.comment("MarshalJSON" + name + " returns the JSON form of v: an object whose one member,\nnamed by the variant, is the variant's fields; null for a nil v.")
	g.f.Func().Id("MarshalJSON"+name).Params(jen.Id("v").Id(name)).Params(jen.Index().Byte(), jen.Error()).Block(body...)

	cases = nil
	for _, v := range u.variants {
		vn := v.s.decl.Name
		cases = append(cases, jen.Case(jen.Lit(vn)).Block(
			jen.Id("x").Op(":=").New(jen.Id(vn)),
			jen.If(jen.Err().Op(":=").Qual(jsonPkg, "Unmarshal").Call(jen.Id("raw"), jen.Id("x")), jen.Err().Op("!=").Nil()).Block(
				jen.Return(jen.Nil(), jen.Err())),
			jen.Return(jen.Id("x"), jen.Nil()),
		))
	}
	loop := []jen.Code{}
	if len(cases) > 0 {
		loop = append(loop, jen.Switch(jen.Id("variant")).Block(cases...))
	} else {
		loop = append(loop, jen.Id("_").Op("=").Id("raw"))
	}
	loop = append(loop, jen.Return(jen.Nil(), jen.Qual(errorsPkg, "New").Call(
		jen.Lit(name+": unknown variant ").Op("+").Qual(strconvPkg, "Quote").Call(jen.Id("variant")))))
	body = []jen.Code{
		jen.If(jen.Len(jen.Id("b")).Op("==").Lit(0).Op("||").String().Call(jen.Id("b")).Op("==").Lit("null")).Block(jen.Return(jen.Nil(), jen.Nil())),
		jen.Var().Id("obj").Map(jen.String()).Add(rawMessage()),
		jen.If(jen.Err().Op(":=").Qual(jsonPkg, "Unmarshal").Call(jen.Id("b"), jen.Op("&").Id("obj")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
		jen.If(jen.Len(jen.Id("obj")).Op("!=").Lit(1)).Block(jen.Return(jen.Nil(), jen.Qual(errorsPkg, "New").Call(
			jen.Lit(name+": want an object with one member, named by the variant")))),
		jen.For(jen.List(jen.Id("variant"), jen.Id("raw")).Op(":=").Range().Id("obj")).Block(loop...),
		jen.Return(jen.Nil(), jen.Nil()),
	}
	g.comment("UnmarshalJSON" + name + " decodes the JSON form of a " + name + " (see MarshalJSON" + name + ").")
	g.f.Func().Id("UnmarshalJSON"+name).Params(jen.Id("b").Index().Byte()).Params(jen.Id(name), jen.Error()).Block(body...)
}

// structJSON declares String of a struct and, when its fields hold
// unions, MarshalJSON and UnmarshalJSON, which go through a shadow
// struct whose union-bearing fields are json.RawMessage:
//
//	func (m T) MarshalJSON() ([]byte, error)
//	func (m *T) UnmarshalJSON(b []byte) error
//	func (m T) String() string
func (g *fileGen) structJSON(s *structIR) {
	name := s.decl.Name
	var union []*fieldIR
	var shadow []jen.Code
	for _, f := range s.fields {
		if hasUnion(f.t) {
			union = append(union, f)
			shadow = append(shadow, jen.Id(f.f.Name).Add(rawMessage()))
		} else {
			shadow = append(shadow, jen.Id(f.f.Name).Add(g.goType(f.t)))
		}
	}
	if len(union) > 0 {
		// MarshalJSON
		body := []jen.Code{jen.Var().Id("out").Struct(shadow...)}
		body = append(body, g.shadowCopy(s, "out", "m", true)...)
		body = append(body, jen.Return(jen.Qual(jsonPkg, "Marshal").Call(jen.Op("&").Id("out"))))
		g.comment("MarshalJSON encodes m as a JSON object of its fields, with the union values\nin the form of their MarshalJSON functions.")
		g.f.Func().Params(jen.Id("m").Id(name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(body...)

		// UnmarshalJSON
		body = []jen.Code{
			jen.Var().Id("in").Struct(shadow...),
			jen.If(jen.Err().Op(":=").Qual(jsonPkg, "Unmarshal").Call(jen.Id("b"), jen.Op("&").Id("in")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		}
		body = append(body, g.shadowCopy(s, "m", "in", false)...)
		body = append(body, jen.Return(jen.Nil()))
		g.comment("UnmarshalJSON sets m from the JSON form of MarshalJSON.")
		g.f.Func().Params(jen.Id("m").Op("*").Id(name)).Id("UnmarshalJSON").Params(jen.Id("b").Index().Byte()).Error().Block(body...)
	}

	g.comment("String returns m as one line of JSON.")
	g.f.Func().Params(jen.Id("m").Id(name)).Id("String").Params().String().Block(
		jen.List(jen.Id("b"), jen.Err()).Op(":=").Qual(jsonPkg, "Marshal").Call(jen.Id("m")),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Lit(name+"(").Op("+").Err().Dot("Error").Call().Op("+").Lit(")"))),
		jen.Return(jen.String().Call(jen.Id("b"))),
	)
}

// shadowCopy copies the fields of the struct s from the variable from to
// the variable to, one of them its shadow: plain fields as they are,
// union-bearing ones through their JSON encoders (enc) or decoders:
//
//	out.A = m.A
//	var err error
//	if out.F, err = MarshalJSONU(m.F); err != nil { return nil, err }
func (g *fileGen) shadowCopy(s *structIR, to, from string, enc bool) []jen.Code {
	var code, unions []jen.Code
	for _, f := range s.fields {
		dst, src := jen.Id(to).Dot(f.f.Name), jen.Id(from).Dot(f.f.Name)
		if !hasUnion(f.t) {
			code = append(code, dst.Op("=").Add(src))
			continue
		}
		call, fail := g.jsonDecode(f.t, src), jen.Return(jen.Err())
		if enc {
			call, fail = g.jsonEncode(f.t, src), jen.Return(jen.Nil(), jen.Err())
		}
		unions = append(unions, jen.If(jen.List(dst, jen.Err()).Op("=").Add(call), jen.Err().Op("!=").Nil()).Block(fail))
	}
	code = append(code, jen.Var().Err().Error())
	return append(code, unions...)
}

// namedJSON declares MarshalJSON and UnmarshalJSON of a named type over a
// collection that holds unions.
func (g *fileGen) namedJSON(n *namedIR) {
	if !hasUnion(n.under) {
		return
	}
	name := n.decl.Name
	g.comment("MarshalJSON encodes m as JSON, with the union values in the form of\ntheir MarshalJSON functions.")
	g.f.Func().Params(jen.Id("m").Id(name)).Id("MarshalJSON").Params().Params(jen.Index().Byte(), jen.Error()).Block(
		jen.Return(g.jsonEncode(n.under, g.goType(n.under).Call(jen.Id("m")))))
	g.comment("UnmarshalJSON sets m from the JSON form of MarshalJSON.")
	g.f.Func().Params(jen.Id("m").Op("*").Id(name)).Id("UnmarshalJSON").Params(jen.Id("b").Index().Byte()).Error().Block(
		jen.List(jen.Id("v"), jen.Err()).Op(":=").Add(g.jsonDecode(n.under, jen.Id("b"))),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
		jen.Op("*").Id("m").Op("=").Id(name).Call(jen.Id("v")),
		jen.Return(jen.Nil()))
}

// jsonEncode returns a call that encodes v, of the union-bearing type t,
// to (json.RawMessage, error).
func (g *fileGen) jsonEncode(t *typ, v jen.Code) *jen.Statement {
	if t.kind == kOptional && t.elem.kind == kUnion { // the union itself, nil is none
		t = t.elem
	}
	if t.kind == kUnion {
		return g.qual(t.ref, "MarshalJSON"+t.ref.name).Call(v)
	}
	return jen.Id(g.jsonHelper(t, true)).Call(v)
}

// jsonDecode returns a call that decodes the json.RawMessage b to a value
// of the union-bearing type t, returning (value, error).
func (g *fileGen) jsonDecode(t *typ, b jen.Code) *jen.Statement {
	if t.kind == kOptional && t.elem.kind == kUnion {
		t = t.elem
	}
	if t.kind == kUnion {
		return g.qual(t.ref, "UnmarshalJSON"+t.ref.name).Call(b)
	}
	return jen.Id(g.jsonHelper(t, false)).Call(b)
}

// jsonHelper returns the name of the file's function that encodes or
// decodes a list, map or optional of t holding unions, declaring it (at
// the end of the file) the first time:
//
//	func jsonEncF0N1(v []U) (json.RawMessage, error)
//	func jsonDecF0N1(b json.RawMessage) ([]U, error)
func (g *fileGen) jsonHelper(t *typ, enc bool) string {
	o := g.out
	if o.json == nil {
		o.json = map[*typ]int{}
	}
	n, ok := o.json[t]
	if !ok {
		n = len(o.json)
		o.json[t] = n
		g.declareJSONHelpers(t, n)
	}
	verb := "Dec"
	if enc {
		verb = "Enc"
	}
	return "json" + verb + "F" + strconv.Itoa(o.file) + "N" + strconv.Itoa(n)
}

// declareJSONHelpers declares the encoder and the decoder of t, number n.
func (g *fileGen) declareJSONHelpers(t *typ, n int) {
	suffix := "F" + strconv.Itoa(g.out.file) + "N" + strconv.Itoa(n)
	gt := g.goType(t)
	null := jen.Len(jen.Id("b")).Op("==").Lit(0).Op("||").String().Call(jen.Id("b")).Op("==").Lit("null")
	var enc, dec []jen.Code
	switch t.kind {
	case kList:
		enc = []jen.Code{
			jen.If(jen.Id("v").Op("==").Nil()).Block(jen.Return(rawMessage().Call(jen.Lit("null")), jen.Nil())),
			jen.Id("raws").Op(":=").Make(jen.Index().Add(rawMessage()), jen.Len(jen.Id("v"))),
			jen.For(jen.List(jen.Id("i"), jen.Id("e")).Op(":=").Range().Id("v")).Block(
				jen.Var().Err().Error(),
				jen.If(jen.List(jen.Id("raws").Index(jen.Id("i")), jen.Err()).Op("=").Add(g.jsonEncode(t.elem, jen.Id("e"))), jen.Err().Op("!=").Nil()).Block(
					jen.Return(jen.Nil(), jen.Err()))),
			jen.Return(jen.Qual(jsonPkg, "Marshal").Call(jen.Id("raws"))),
		}
		dec = []jen.Code{
			jen.If(null).Block(jen.Return(jen.Nil(), jen.Nil())),
			jen.Var().Id("raws").Index().Add(rawMessage()),
			jen.If(jen.Err().Op(":=").Qual(jsonPkg, "Unmarshal").Call(jen.Id("b"), jen.Op("&").Id("raws")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			jen.Id("v").Op(":=").Make(gt, jen.Len(jen.Id("raws"))),
			jen.For(jen.List(jen.Id("i"), jen.Id("raw")).Op(":=").Range().Id("raws")).Block(
				jen.Var().Err().Error(),
				jen.If(jen.List(jen.Id("v").Index(jen.Id("i")), jen.Err()).Op("=").Add(g.jsonDecode(t.elem, jen.Id("raw"))), jen.Err().Op("!=").Nil()).Block(
					jen.Return(jen.Nil(), jen.Err()))),
			jen.Return(jen.Id("v"), jen.Nil()),
		}
	case kMap:
		kt := g.goType(t.key)
		enc = []jen.Code{
			jen.If(jen.Id("v").Op("==").Nil()).Block(jen.Return(rawMessage().Call(jen.Lit("null")), jen.Nil())),
			jen.Id("raws").Op(":=").Make(jen.Map(kt.Clone()).Add(rawMessage()), jen.Len(jen.Id("v"))),
			jen.For(jen.List(jen.Id("k"), jen.Id("e")).Op(":=").Range().Id("v")).Block(
				jen.List(jen.Id("raw"), jen.Err()).Op(":=").Add(g.jsonEncode(t.elem, jen.Id("e"))),
				jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
				jen.Id("raws").Index(jen.Id("k")).Op("=").Id("raw")),
			jen.Return(jen.Qual(jsonPkg, "Marshal").Call(jen.Id("raws"))),
		}
		dec = []jen.Code{
			jen.If(null).Block(jen.Return(jen.Nil(), jen.Nil())),
			jen.Var().Id("raws").Map(kt.Clone()).Add(rawMessage()),
			jen.If(jen.Err().Op(":=").Qual(jsonPkg, "Unmarshal").Call(jen.Id("b"), jen.Op("&").Id("raws")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			jen.Id("v").Op(":=").Make(gt, jen.Len(jen.Id("raws"))),
			jen.For(jen.List(jen.Id("k"), jen.Id("raw")).Op(":=").Range().Id("raws")).Block(
				jen.List(jen.Id("e"), jen.Err()).Op(":=").Add(g.jsonDecode(t.elem, jen.Id("raw"))),
				jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
				jen.Id("v").Index(jen.Id("k")).Op("=").Id("e")),
			jen.Return(jen.Id("v"), jen.Nil()),
		}
	case kOptional: // of a list or map holding unions (an optional union is the union)
		enc = []jen.Code{
			jen.If(jen.Id("v").Op("==").Nil()).Block(jen.Return(rawMessage().Call(jen.Lit("null")), jen.Nil())),
			jen.Return(g.jsonEncode(t.elem, jen.Op("*").Id("v"))),
		}
		dec = []jen.Code{
			jen.If(null).Block(jen.Return(jen.Nil(), jen.Nil())),
			jen.List(jen.Id("x"), jen.Err()).Op(":=").Add(g.jsonDecode(t.elem, jen.Id("b"))),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Nil(), jen.Err())),
			jen.Return(jen.Op("&").Id("x"), jen.Nil()),
		}
	}
	g.out.decls = append(g.out.decls, jen.Line(),
		jen.Comment("// jsonEnc"+suffix+" encodes a "+typeSpell(t)+" as JSON, its unions as their MarshalJSON functions do."),
		jen.Func().Id("jsonEnc"+suffix).Params(jen.Id("v").Add(gt.Clone())).Params(rawMessage(), jen.Error()).Block(enc...),
		jen.Line(),
		jen.Comment("// jsonDec"+suffix+" decodes the JSON of jsonEnc"+suffix+"."),
		jen.Func().Id("jsonDec"+suffix).Params(jen.Id("b").Add(rawMessage())).Params(gt.Clone(), jen.Error()).Block(dec...))
}
