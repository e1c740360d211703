package gen

import (
	"slices"
	"strings"

	"github.com/dave/jennifer/jen"
)

// Derived structs (`struct D from B { … }`): D's Go type embeds B's and
// declares only the fields D adds, so that the base's fields are promoted
// and the generated methods (which name every field as m.Name) encode the
// merged wire order. The conversions are Go's own: d.B is the base value,
// D{B: b} a derived value from a base one.

// derivedStructDecl declares a derived struct and its methods:
//
//	type QueryPathInfoReply struct {
//		messages.QueryPathInfoReply
//		Tags []Tag
//	}
func (g *fileGen) derivedStructDecl(s *structIR) {
	d := s.decl.Derived
	name := s.decl.Name
	baseName := d.Base.Name
	baseType := g.qual(&declRef{pkg: d.Base.Pkg}, baseName)
	g.comment(withLines(structDoc(s), derivedDoc(s)))
	fields := []jen.Code{baseType}
	for _, f := range s.fields {
		if !slices.Contains(d.Own, f.f) {
			continue
		}
		fields = append(fields, doc(fieldDoc(s, f), ""), jen.Id(f.f.Name).Add(g.goType(f.t)))
	}
	g.f.Type().Id(name).Struct(fields...)
	m := local("m")
	g.messageMethods(name,
		func(c *fn) (int, []jen.Code) { return c.structSize(s, m) },
		func(c *fn) []jen.Code { return c.structBody(s, m) })
	g.comment(withLines("", "WireBase returns the embedded "+baseName+", for wire.Derived: runtimes accept a "+name+" where the base's type is expected."))
	g.f.Func().Params(jen.Id("m").Op("*").Id(name)).Id("WireBase").Params().Add(wireID("Message")).Block(
		jen.Return(jen.Op("&").Id("m").Dot(baseName)))
}

// derivedDoc explains a derived struct's relation to its base.
func derivedDoc(s *structIR) string {
	d := s.decl.Derived
	name, base := s.decl.Name, d.Base.Name
	qual := base
	if d.Base.Pkg != s.decl.Pkg {
		qual = d.Base.Pkg.Name + "." + base
	}
	var added []string
	for _, f := range d.Own {
		if f.Const == nil {
			added = append(added, f.Name)
		}
	}
	text := name + " derives from " + qual + ", which it embeds, and adds"
	switch len(added) {
	case 0:
		text += " no Go field"
	case 1:
		text += " " + added[0]
	default:
		text += " " + strings.Join(added[:len(added)-1], ", ") + " and " + added[len(added)-1]
	}
	text += "."
	if len(d.NewLayouts) > 0 {
		text += " From " + d.NewLayouts[0].Gate.Since.String() + " it is encoded with its own layouts; before, and wherever the added fields are off the wire, its encoding is exactly " + qual + "'s."
	} else {
		text += " Wherever the added fields are off the wire its encoding is exactly " + qual + "'s."
	}
	text += " m." + base + " is the base value, and " + name + "{" + base + ": b} the derived value of a base value b, with the added fields zero: the conversions lose nothing of the base."
	return text
}
