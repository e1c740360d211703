package gen

import (
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/nixwire/nixwire/schema"
)

// The dispatch surface of a protocol P: the Protocol value (its op table
// and the protocol it extends), the Op and OpCode methods of request
// types, the PHandler interface with one method per op, the embeddable
// UnimplementedPHandler, and NewPDispatcher, which binds a handler to the
// ops as wire.Routes. The runtime contract is wire's (wire/dispatch.go).

const contextPkg = "context"

// dispatchNames are the Go names the dispatch surface of protocol p declares.
func dispatchNames(p string) []string {
	return []string{p + "Protocol", p + "Handler", "Unimplemented" + p + "Handler", "New" + p + "Dispatcher"}
}

// requestMethods are the methods of a request type that knows its op.
var requestMethods = []string{"Op", "OpCode"}

// requestOwner returns the request struct of op if op is the only op of
// its package whose request it is and the struct is declared there: such a
// struct gets the Op and OpCode methods.
func requestOwner(pkg *schema.Package, op *schema.Op) *schema.Struct {
	s, ok := op.Request.Decl.(*schema.Struct)
	if !ok || s.Pkg != pkg {
		return nil
	}
	for _, other := range pkg.Ops {
		if other != op && other.Request != nil && other.Request.Decl == schema.Decl(s) {
			return nil
		}
	}
	return s
}

// streamsOf reports whether any stream follows op's request and reply.
func streamsOf(op *schema.Op) (req, reply bool) {
	for _, s := range op.Streams {
		if s.Dir == schema.AfterRequest {
			req = true
		} else {
			reply = true
		}
	}
	return req, reply
}

// protocolValue declares P's wire.Protocol:
//
//	var ExtProtocol = &wire.Protocol{Name: "Ext", Ops: ExtOps, Base: messages.WorkerProtocol}
func (g *fileGen) protocolValue(name string) {
	pr := g.pkg.Protocol(name)
	items := []jen.Code{jen.Id("Name").Op(":").Lit(name), jen.Id("Ops").Op(":").Id(name + "Ops")}
	text := name + "Protocol is the " + name + " protocol: its op table " + name + "Ops"
	if pr != nil && pr.Base != nil {
		items = append(items, jen.Id("Base").Op(":").Add(g.qual(&declRef{pkg: pr.Base.Pkg}, pr.Base.Name+"Protocol")))
		text += ", looked up first, and the " + pr.Base.Name + " protocol it extends"
	}
	text += ". Clients and servers look ops up in it."
	g.comment(withLines("", text))
	g.f.Var().Id(name + "Protocol").Op("=").Op("&").Add(wireID("Protocol")).Values(items...)
}

// requestOps declares the Op and OpCode methods of the request types of
// ops:
//
//	func (*QueryPathInfoRequest) Op() WorkerOpCode { return OpQueryPathInfo }
//	func (*QueryPathInfoRequest) OpCode() uint64   { return uint64(OpQueryPathInfo) }
func (g *fileGen) requestOps(name string, ops []*schema.Op) {
	var asserts []jen.Code
	for _, op := range ops {
		s := requestOwner(g.pkg, op)
		if s == nil {
			continue
		}
		cname := "Op" + op.Name
		recv := jen.Op("*").Id(s.Name)
		g.comment(withLines("", "Op returns "+cname+", the operation whose request "+s.Name+" is."))
		g.f.Func().Params(recv).Id("Op").Params().Id(name + "OpCode").Block(jen.Return(jen.Id(cname)))
		g.comment(withLines("", "OpCode returns the code of the "+op.Name+" operation, for wire.Request."))
		g.f.Func().Params(jen.Op("*").Id(s.Name)).Id("OpCode").Params().Uint64().Block(jen.Return(jen.Uint64().Call(jen.Id(cname))))
		asserts = append(asserts, jen.Id("_").Add(wireID("Request")).Op("=").Parens(jen.Op("*").Id(s.Name)).Call(jen.Nil()))
	}
	if len(asserts) > 0 {
		g.f.Line()
		g.f.Var().Defs(asserts...)
	}
}

// handlerSig returns the parameters and results of op's handler method.
func (g *fileGen) handlerSig(op *schema.Op, named bool) (params, results []jen.Code) {
	id := func(n string) *jen.Statement {
		if named {
			return jen.Id(n)
		}
		return jen.Null()
	}
	params = []jen.Code{id("ctx").Qual(contextPkg, "Context"), id("req").Op("*").Add(g.msgType(op.Request))}
	in, out := streamsOf(op)
	if in {
		params = append(params, id("in").Qual("io", "Reader"))
	}
	if op.Reply != nil {
		results = append(results, jen.Op("*").Add(g.msgType(op.Reply)))
	}
	if out {
		results = append(results, wireID("StreamFunc"))
	}
	results = append(results, jen.Error())
	return params, results
}

// msgType names the struct a request or reply type refers to.
func (g *fileGen) msgType(t *schema.Type) *jen.Statement {
	d := t.Decl.(*schema.Struct)
	return g.qual(&declRef{pkg: d.Pkg}, d.Name)
}

// methodDoc documents op's handler method.
func (g *fileGen) methodDoc(op *schema.Op) string {
	text := op.Name + " serves the " + op.Name + " operation"
	if gs := gateSpellIn(op.Gate, g.pkg, " "); gs != "" {
		text += " (" + gs + ")"
	}
	text += "."
	if op.From != nil {
		text += " It is re-declared from " + op.From.Pkg().Name + "." + op.From.Name + ", whose method serves the op outside this range."
	}
	var notes []string
	for _, dir := range []schema.Direction{schema.AfterRequest, schema.AfterReply} {
		var kinds []string
		for _, s := range op.Streams {
			if s.Dir != dir {
				continue
			}
			k := streamKindNames[s.Kind]
			k = strings.ToLower(strings.TrimSuffix(k, "Stream"))
			if gs := gateSpellIn(s.Gate, g.pkg, " "); gs != "" {
				k += " " + gs
			}
			kinds = append(kinds, k)
		}
		if len(kinds) == 0 {
			continue
		}
		if dir == schema.AfterRequest {
			notes = append(notes, "in reads the data that follows the request ("+strings.Join(kinds, "; ")+"); it is empty where none does.")
		} else {
			notes = append(notes, "The returned StreamFunc writes the data that follows the reply ("+strings.Join(kinds, "; ")+"): the dispatcher runs it when the protocol requires (a push stream before the end of the log, a raw one after the reply).")
		}
	}
	return withLines("", append([]string{text}, notes...)...)
}

// dispatch declares P's handler interface, its Unimplemented base and
// its dispatcher constructor.
func (g *fileGen) dispatch(name string, ops []*schema.Op) {
	pr := g.pkg.Protocol(name)
	var base *schema.Protocol
	if pr != nil {
		base = pr.Base
	}
	handler, unimpl := name+"Handler", "Unimplemented"+name+"Handler"

	// The interface.
	text := handler + " serves the operations of the " + name + " protocol, one method per op: the request in, the reply out (none for an op without reply), with the data streams the op carries. An error is reported to the client, and one matching wire.ErrUnsupported as an operation the server does not implement. Embed " + unimpl + " to leave ops out."
	var methods []jen.Code
	if base != nil {
		text += " It has the methods of " + base.Pkg.Name + "." + base.Name + "Handler too, for the ops of the protocol it extends."
		methods = append(methods, g.qual(&declRef{pkg: base.Pkg}, base.Name+"Handler"))
	}
	for _, op := range ops {
		params, results := g.handlerSig(op, true)
		methods = append(methods, doc(g.methodDoc(op), ""), jen.Id(op.Name).Params(params...).Params(results...))
	}
	g.comment(withLines("", text))
	g.f.Type().Id(handler).Interface(methods...)

	// The Unimplemented base.
	var fields []jen.Code
	if base != nil {
		fields = append(fields, g.qual(&declRef{pkg: base.Pkg}, "Unimplemented"+base.Name+"Handler"))
	}
	g.comment(withLines("", unimpl+" answers every operation with an error matching wire.ErrUnsupported. Embed it in a "+handler+" to implement only some ops; the others stay unsupported, also those a newer schema adds."))
	g.f.Type().Id(unimpl).Struct(fields...)
	for _, op := range ops {
		params, results := g.handlerSig(op, false)
		var ret []jen.Code
		for range results[:len(results)-1] {
			ret = append(ret, jen.Nil())
		}
		ret = append(ret, wireID("Unsupported").Call(jen.Lit(op.Name)))
		g.comment(withLines("", op.Name+" returns an error matching wire.ErrUnsupported."))
		g.f.Func().Params(jen.Id(unimpl)).Id(op.Name).Params(params...).Params(results...).Block(jen.Return(ret...))
	}

	// The dispatcher.
	var routes []jen.Code
	for _, op := range ops {
		routes = append(routes, g.route(op))
	}
	baseDisp := jen.Nil()
	text = "New" + name + "Dispatcher returns the dispatcher that serves the ops of " + name + "Protocol with h"
	if base != nil {
		baseDisp = g.qual(&declRef{pkg: base.Pkg}, "New"+base.Name+"Dispatcher").Call(jen.Id("h"))
		text += ", falling back to the ops of " + base.Pkg.Name + "." + base.Name + "Protocol, served by h too"
	}
	text += ". A server reads an op code and calls the dispatcher's Serve with its wire.Exchange for the call. It panics only if " + name + "Ops was modified."
	g.comment(withLines("", text))
	g.f.Func().Id("New"+name+"Dispatcher").Params(jen.Id("h").Id(handler)).Op("*").Add(wireID("Dispatcher")).Block(
		jen.List(jen.Id("d"), jen.Err()).Op(":=").Add(wireID("NewDispatcher")).Call(
			jen.Id(name+"Protocol"), jen.Index().Add(wireID("Route")).Custom(multiLine, routes...), baseDisp),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Panic(jen.Err())),
		jen.Return(jen.Id("d")),
	)
}

// route returns the wire.Route of op, calling h's method:
//
//	func(ctx context.Context, c *wire.Call) error {
//		req := new(QueryPathInfoRequest)
//		if err := c.Decode(req); err != nil {
//			return err
//		}
//		reply, err := h.QueryPathInfo(ctx, req)
//		if err != nil {
//			return err
//		}
//		if reply == nil {
//			return c.NoReply()
//		}
//		return c.Reply(reply, nil)
//	}
func (g *fileGen) route(op *schema.Op) jen.Code {
	in, out := streamsOf(op)
	body := []jen.Code{
		jen.Id("req").Op(":=").New(g.msgType(op.Request)),
		jen.If(jen.Err().Op(":=").Id("c").Dot("Decode").Call(jen.Id("req")), jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())),
	}
	args := []jen.Code{jen.Id("ctx"), jen.Id("req")}
	if in {
		body = append(body,
			jen.List(jen.Id("in"), jen.Err()).Op(":=").Id("c").Dot("RequestStream").Call(),
			jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())))
		args = append(args, jen.Id("in"))
	}
	var lhs []jen.Code
	reply, stream := jen.Nil(), jen.Nil()
	if op.Reply != nil {
		lhs = append(lhs, jen.Id("reply"))
		reply = jen.Id("reply")
	}
	if out {
		lhs = append(lhs, jen.Id("stream"))
		stream = jen.Id("stream")
	}
	lhs = append(lhs, jen.Err())
	assign := ":="
	if in && len(lhs) == 1 {
		assign = "=" // err is declared with in
	}
	body = append(body,
		jen.List(lhs...).Op(assign).Id("h").Dot(op.Name).Call(args...),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Err())))
	if op.Reply != nil {
		body = append(body, jen.If(jen.Id("reply").Op("==").Nil()).Block(jen.Return(jen.Id("c").Dot("NoReply").Call())))
	}
	body = append(body, jen.Return(jen.Id("c").Dot("Reply").Call(reply, stream)))
	return jen.Func().Params(jen.Id("ctx").Qual(contextPkg, "Context"), jen.Id("c").Op("*").Add(wireID("Call"))).Error().Block(body...)
}
