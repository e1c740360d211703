// Package schema parses and checks nixwire schema files, the declarative
// description of protocol messages that nixwire-gen turns into Go code. The
// language is documented in README.md beside this file.
//
// Load parses every file of a package, resolves imports and names, applies
// default limits and checks the whole; the result is a *Package whose
// declarations are fully resolved, or an ErrorList with every problem found,
// sorted by position.
package schema

import (
	"strconv"

	"github.com/nixwire/nixwire/wire"
)

// Pos is a position in a schema file.
type Pos struct {
	File      string // file name as given to the parser
	Line, Col int    // 1-based; Col counts bytes
}

// String formats p as "file:line:col".
func (p Pos) String() string {
	return p.File + ":" + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col)
}

// Package is a checked schema package.
type Package struct {
	Name     string     // Go package name
	Path     string     // Go import path, when known
	Dir      string     // directory of the schema files
	Files    []string   // schema files, sorted
	Imports  []*Import  // in file order
	Limits   Limits     // defaults for types that name no limit
	Features []*Feature // in declaration order
	Decls    []Decl     // named types, enums, structs and unions in declaration order (files in name order); includes the structs synthesized for inline op requests and replies
	Ops      []*Op      // in declaration order
	// ProtocolDocs holds the doc comment of each protocol statement, by
	// protocol name (see Op.Protocol).
	ProtocolDocs map[string]string
	// Protocols are the protocols named by protocol statements, in file
	// order.
	Protocols []*Protocol
}

// Protocol returns the protocol of p named name, or nil.
func (p *Package) Protocol(name string) *Protocol {
	for _, pr := range p.Protocols {
		if pr.Name == name {
			return pr
		}
	}
	return nil
}

// Op returns the op of p named name, or nil.
func (p *Package) Op(name string) *Op {
	for _, op := range p.Ops {
		if op.Name == name {
			return op
		}
	}
	return nil
}

// Lookup returns the declaration named name in p, or nil.
func (p *Package) Lookup(name string) Decl {
	for _, d := range p.Decls {
		if d.DeclName() == name {
			return d
		}
	}
	return nil
}

// Limits are the default maximum lengths and counts of a package.
type Limits struct {
	String uint64 // maximum length of a string
	Bytes  uint64 // maximum length of bytes
	Count  uint64 // maximum count of a list, set or map
}

// DefaultLimits apply where neither a type nor its package names a limit.
var DefaultLimits = Limits{String: 1 << 20, Bytes: 64 << 20, Count: 1 << 20}

// Import is an import of another schema package.
type Import struct {
	Pos     Pos
	Name    string   // local name (the package's name if none was written)
	Path    string   // Go import path
	Package *Package // the loaded package
}

// Feature is a negotiated protocol feature that gates can test.
type Feature struct {
	Pos   Pos
	Doc   string
	Name  string   // Go name, e.g. "PathNotHash"
	Value string   // name on the wire, e.g. "realisation-with-path-not-hash"
	Pkg   *Package // declaring package
}

// Decl is a named declaration: *Named, *Enum, *Struct or *Union.
type Decl interface {
	DeclName() string
	DeclPos() Pos
	DeclPkg() *Package
}

// DeclInfo is what every declaration has.
type DeclInfo struct {
	Pos  Pos
	Doc  string
	Name string
	Pkg  *Package
}

// DeclName returns the declaration's name.
func (d *DeclInfo) DeclName() string { return d.Name }

// DeclPos returns the declaration's position.
func (d *DeclInfo) DeclPos() Pos { return d.Pos }

// DeclPkg returns the package that declares it.
func (d *DeclInfo) DeclPkg() *Package { return d.Pkg }

// Named is `type Name Type [validate]`.
type Named struct {
	DeclInfo
	Type     *Type // underlying: a primitive or a collection, never a Ref to a struct or union
	Validate bool  // call the hand-written Validate method
}

// Enum is `enum Name [open] { Value = n ... }`.
type Enum struct {
	DeclInfo
	Open   bool // unknown values are kept instead of rejected
	Values []*EnumValue
}

// EnumValue is one value of an enum.
type EnumValue struct {
	Pos   Pos
	Doc   string
	Name  string // as written, e.g. "Repair"; the Go constant is enum name + Name
	Value uint64
	Gate  Gate
}

// Struct is `struct Name { fields }` or a struct made of layouts.
type Struct struct {
	DeclInfo
	// Fields are the fields in order, const fields included (they have no
	// Go field). For a plain struct this is also the wire order.
	//
	// For a struct of layouts, Fields lists each field name once, at its
	// first position over the layouts in order, and is not a wire order.
	// A field's Gate is only the field's own gates, never its layout's: the
	// field is on the wire when its layout is the one selected (Layout.Gate
	// holds) and its own Gate holds. Fields of the same name in several
	// layouts must be declared alike (same type and limits, gates, when,
	// at, default, const and required; the checker reports any
	// difference), so they are one *Field, shared by those layouts; its
	// Pos and Doc are those of the first declaration.
	Fields []*Field
	// Layouts is nil for a plain struct. Otherwise each layout lists its
	// fields in wire order; they are pointers into Fields. At most one
	// layout's Gate holds for any protocol (the checker rejects overlaps).
	Layouts []*Layout
	// Union is the union this struct is a variant of, if any.
	Union *Union
	// Op is the op for which this struct was synthesized (inline request or
	// reply), if any.
	Op *Op
	// Derived is set for a struct derived from another (`struct D from B`):
	// D's Go type embeds B's, and Fields and Layouts are the merged wire
	// order. nil for a struct of its own.
	Derived *Derivation
}

// Layout is one version-selected layout of a struct.
type Layout struct {
	Pos    Pos
	Gate   Gate
	Fields []*Field
}

// Field is a struct field.
type Field struct {
	Pos      Pos
	Doc      string
	Name     string
	Type     *Type
	Gate     Gate
	When     *Condition    // on the wire only when the condition holds too; nil: no condition
	At       *wire.Version // the value is encoded at this version, without features; nil: at the negotiated protocol
	Default  *Literal      // value when not on the wire; nil: the Go zero value
	Const    *Literal      // written as this and checked on read; no Go field
	Required bool          // encoding a non-default value where it is not on the wire is an error
	Place    *FieldPos     // a field of a derived struct: where it goes among the base's; nil: at the end
}

// Condition is a field's `when` clause: the field is on the wire only when
// the value of an earlier field of its struct (of its layout, in a struct
// of layouts) is, or is not, a literal. Where that earlier field is not on
// the wire itself, its default is compared.
type Condition struct {
	Pos   Pos      // position of the when keyword
	Name  string   // the field compared, as written
	Equal bool     // == (true) or != (false)
	Value *Literal // resolved against the compared field's type
	Field *Field   // the compared field; set by the checker
}

// Union is `union Name { tag Variant ... }`.
type Union struct {
	DeclInfo
	Variants []*Variant
}

// Variant is one variant of a union.
type Variant struct {
	Pos    Pos
	Doc    string
	Tag    uint64
	Type   *Type   // a Ref to Struct
	Struct *Struct // resolved
	Gate   Gate
}

// Kind is the kind of a type expression.
type Kind int

// The kinds of type expressions.
const (
	U8 Kind = iota + 1
	U16
	U32
	U64
	I64
	Bool
	String
	Bytes
	List
	Set
	Map
	Optional
	Ref // a named declaration
)

var kindNames = [...]string{U8: "u8", U16: "u16", U32: "u32", U64: "u64", I64: "i64", Bool: "bool",
	String: "string", Bytes: "bytes", List: "list", Set: "set", Map: "map", Optional: "optional", Ref: "ref"}

// String returns the schema spelling of k.
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Type is a type expression.
type Type struct {
	Pos  Pos
	Kind Kind
	Elem *Type // element of List, Set, Optional; value of Map
	Key  *Type // key of Map

	// Min and Max bound the length of String and Bytes and the count of
	// List, Set and Map. After checking, Max is always set (from the type,
	// the package limits or DefaultLimits).
	Min, Max uint64

	// Empty marks optional<T, empty>: the empty string means none.
	Empty bool

	// Terminated marks list<T, terminated> and set<T, terminated>: no
	// count; each element begins with a non-empty string and an empty
	// string ends the list.
	Terminated bool

	// Ref: Qual is the import's local name ("" for this package), Name the
	// declaration's name; Decl is set by the checker.
	Qual, Name string
	Decl       Decl
}

// Gate is the condition under which something is on the wire. The zero Gate
// always holds.
type Gate struct {
	Since  wire.Version // 0: no lower bound
	Until  wire.Version // 0: no upper bound (exclusive)
	If     []*Feature   // all must be negotiated
	Unless []*Feature   // none may be negotiated
	Pos    Pos          // position of the first gate keyword, if any
}

// Always reports whether g holds for every protocol.
func (g Gate) Always() bool {
	return g.Since == 0 && g.Until == 0 && len(g.If) == 0 && len(g.Unless) == 0
}

// Holds reports whether g holds for p.
func (g Gate) Holds(p wire.Proto) bool {
	if p.Version < g.Since || (g.Until != 0 && p.Version >= g.Until) {
		return false
	}
	for _, f := range g.If {
		if !p.Has(f.Value) {
			return false
		}
	}
	for _, f := range g.Unless {
		if p.Has(f.Value) {
			return false
		}
	}
	return true
}

// LiteralKind is the kind of a literal.
type LiteralKind int

// The kinds of literals.
const (
	IntLit LiteralKind = iota + 1
	StringLit
	BoolLit
	IdentLit // an enum value name
)

// Literal is a constant in a default, const or when clause.
type Literal struct {
	Pos   Pos
	Kind  LiteralKind
	Int   uint64
	Str   string
	Bool  bool
	Ident string
	Value *EnumValue // IdentLit, resolved against the enum type of the field (the compared field, for when)
}

// Op is an operation.
type Op struct {
	Pos        Pos
	Doc        string
	Name       string
	Protocol   string // from the file's protocol statement; "" if none
	Code       uint64
	Gate       Gate
	Deprecated string // deprecation note; "" if current
	Request    *Type  // Ref to the request struct (synthesized empty struct if none was declared)
	Reply      *Type  // Ref to the reply struct; nil: no reply
	Streams    []*Stream
	// From is the op this one is re-declared from (`op O from B`), whose
	// code, request, reply and streams it keeps unless it names its own;
	// nil for an op of its own. FromRef is the name as written.
	From    *Op
	FromRef *NameRef

	pkg *Package // the declaring package, set by the checker
}

// Direction says which message a stream follows.
type Direction int

// Stream directions.
const (
	AfterRequest Direction = iota + 1
	AfterReply
)

// StreamKind says how data outside the messages travels.
type StreamKind int

// Stream kinds; see README.md.
const (
	Framed StreamKind = iota + 1
	Raw
	Pull
	Push
)

// Stream is data that follows a request or reply outside it.
type Stream struct {
	Pos  Pos
	Dir  Direction
	Kind StreamKind
	Gate Gate
}
