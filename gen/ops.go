package gen

import (
	"strconv"

	"github.com/dave/jennifer/jen"
	"github.com/nixwire/nixwire/schema"
	"github.com/nixwire/nixwire/wire"
)

// Operations: per protocol P, the code type POpCode with one constant per
// op and a String method, and the table POps.

var streamKindNames = map[schema.StreamKind]string{
	schema.Framed: "FramedStream",
	schema.Raw:    "RawStream",
	schema.Pull:   "PullStream",
	schema.Push:   "PushStream",
}

// versionLit spells v for a reader of the tables: wire.V(1, 38).
func versionLit(v wire.Version) *jen.Statement {
	return jen.Qual(wirePkg, "V").Call(jen.Lit(int(v.Major())), jen.Lit(int(v.Minor())))
}

// multiLine renders a composite literal with one element per line.
var multiLine = jen.Options{Open: "{", Close: "}", Separator: ",", Multi: true}

// wireGate returns a wire.Gate literal for g, or nil if g always holds:
//
//	wire.Gate{Since: wire.V(1, 6), If: []string{FeatureX}}
func (g *fileGen) wireGate(gt schema.Gate) *jen.Statement {
	if gt.Always() {
		return nil
	}
	var items []jen.Code
	kv := func(k string, v jen.Code) { items = append(items, jen.Id(k).Op(":").Add(v)) }
	if gt.Since != 0 {
		kv("Since", versionLit(gt.Since))
	}
	if gt.Until != 0 {
		kv("Until", versionLit(gt.Until))
	}
	features := func(fs []*schema.Feature) *jen.Statement {
		var list []jen.Code
		for _, f := range fs {
			list = append(list, g.featureConst(f))
		}
		return jen.Index().String().Values(list...)
	}
	if len(gt.If) > 0 {
		kv("If", features(gt.If))
	}
	if len(gt.Unless) > 0 {
		kv("Unless", features(gt.Unless))
	}
	return wireID("Gate").Values(items...)
}

// streamRules returns the rules of the streams that follow a message, or
// nil if none:
//
//	[]wire.StreamRule{{Kind: wire.FramedStream, Gate: wire.Gate{Since: wire.V(1, 23)}}}
func (g *fileGen) streamRules(ss []*schema.Stream, dir schema.Direction) *jen.Statement {
	var rules []jen.Code
	for _, s := range ss {
		if s.Dir != dir {
			continue
		}
		items := []jen.Code{jen.Id("Kind").Op(":").Add(wireID(streamKindNames[s.Kind]))}
		if gate := g.wireGate(s.Gate); gate != nil {
			items = append(items, jen.Id("Gate").Op(":").Add(gate))
		}
		rules = append(rules, jen.Values(items...))
	}
	if len(rules) == 0 {
		return nil
	}
	return jen.Index().Add(wireID("StreamRule")).Values(rules...)
}

// newMessage is `func() wire.Message { return new(T) }` for the struct t.
func (g *fileGen) newMessage(t *schema.Type) *jen.Statement {
	d, ok := t.Decl.(*schema.Struct)
	if !ok {
		return jen.Nil()
	}
	return jen.Func().Params().Add(wireID("Message")).Block(
		jen.Return(jen.New(g.qual(&declRef{pkg: d.Pkg}, d.Name))))
}

// protocol declares the op codes and op table of one protocol:
//
//	type WorkerOpCode uint64
//
//	const (
//		OpQueryPathInfo WorkerOpCode = 26
//	)
//
//	func (c WorkerOpCode) String() string
//
//	var WorkerOps = wire.OpTable{
//		{
//			Name:       "QueryPathInfo",
//			Code:       uint64(OpQueryPathInfo),
//			Gate:       wire.Gate{Since: wire.V(1, 6)},
//			NewRequest: func() wire.Message { return new(QueryPathInfoRequest) },
//			NewReply:   func() wire.Message { return new(QueryPathInfoReply) },
//		},
//	}
func (g *fileGen) protocol(name string, ops []*schema.Op) {
	codeType := name + "OpCode"
	what := "the " + name + " protocol"
	if name == "" {
		what = "the package's protocol"
	}
	g.comment(withLines(codeType+" is the code of an operation of "+what+".", g.pkg.ProtocolDocs[name]))
	g.f.Type().Id(codeType).Uint64()

	var defs, cases, entries []jen.Code
	for _, op := range ops {
		cname := "Op" + op.Name
		text := withLines("", cname+" is the code of the "+op.Name+" operation.", op.Doc)
		if gs := gateSpellIn(op.Gate, g.pkg, " "); gs != "" {
			text = withLines(text, "The operation exists "+gs+".")
		}
		if op.Deprecated != "" {
			text = withLines(text, "Deprecated: "+op.Deprecated)
		}
		defs = append(defs, doc(text, ""), jen.Id(cname).Id(codeType).Op("=").Add(num(op.Code)))
		cases = append(cases, jen.Case(jen.Id(cname)).Block(jen.Return(jen.Lit(op.Name))))

		kv := func(k string, v jen.Code) jen.Code { return jen.Id(k).Op(":").Add(v) }
		items := []jen.Code{kv("Name", jen.Lit(op.Name)), kv("Code", jen.Uint64().Call(jen.Id(cname)))}
		if gate := g.wireGate(op.Gate); gate != nil {
			items = append(items, kv("Gate", gate))
		}
		if op.Deprecated != "" {
			items = append(items, kv("Deprecated", jen.Lit(op.Deprecated)))
		}
		if op.Request != nil {
			items = append(items, kv("NewRequest", g.newMessage(op.Request)))
		}
		if op.Reply != nil {
			items = append(items, kv("NewReply", g.newMessage(op.Reply)))
		}
		if r := g.streamRules(op.Streams, schema.AfterRequest); r != nil {
			items = append(items, kv("AfterRequest", r))
		}
		if r := g.streamRules(op.Streams, schema.AfterReply); r != nil {
			items = append(items, kv("AfterReply", r))
		}
		entries = append(entries, jen.Custom(multiLine, items...))
	}
	if len(defs) > 0 {
		g.f.Line()
		g.f.Const().Defs(defs...)
	}

	unknown := jen.Return(jen.Lit(codeType+"(").Op("+").Qual(strconvPkg, "FormatUint").Call(jen.Uint64().Call(jen.Id("c")), jen.Lit(10)).Op("+").Lit(")"))
	g.comment("String returns the name of the operation, or " + codeType + "(n) for an unknown code.")
	body := []jen.Code{unknown}
	if len(cases) > 0 {
		body = append([]jen.Code{jen.Switch(jen.Id("c")).Block(cases...)}, body...)
	}
	g.f.Func().Params(jen.Id("c").Id(codeType)).Id("String").Params().String().Block(body...)

	g.comment(name + "Ops lists the operations of " + what + ", to look them up by code\nand negotiated protocol and to learn what follows their messages.")
	g.f.Var().Id(name+"Ops").Op("=").Add(wireID("OpTable")).Custom(multiLine, entries...)
}

// hexVersion spells a protocol version as a hexadecimal constant: 0x110
// for 1.16, so that the major and minor stay visible.
func hexVersion(v wire.Version) string { return "0x" + strconv.FormatUint(uint64(v), 16) }
