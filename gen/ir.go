package gen

import (
	"fmt"
	"math"

	"github.com/nixwire/nixwire/schema"
	"github.com/nixwire/nixwire/wire"
)

// The intermediate representation. Every type expression of the schema
// becomes a *typ whose kind selects one emitter (see emit.go); every struct
// becomes a *structIR listing its wire elements in order, each with its Go
// field, resolved type, residual gate and constant. The five emitters of a
// kind (size, append, consume, encode, decode) all walk this one tree, so
// they cannot disagree about what is on the wire.

// kind is the wire shape of a type; each kind has one emitter.
type kind int

const (
	kUint     kind = iota + 1 // u8, u16, u32, u64: one u64, range-checked on decode
	kInt                      // i64: one u64 at most 2^63-1
	kBool                     // one u64, 0 or 1
	kString                   // a bytes packet, Go string
	kBytes                    // a bytes packet, Go []byte
	kEnum                     // one u64, one of the enum's values
	kStruct                   // the struct's elements, through its methods
	kUnion                    // a u64 tag and the variant, through the union's functions
	kList                     // list<T>, set<T>: a u64 count and the elements
	kMap                      // map<K,V>: a u64 count and sorted key, value pairs
	kOptional                 // optional<T>: a u64 tag 0 or 1, then T if 1
	kOptEmpty                 // optional<T, empty>: T, where "" means none
)

var kindNames = [...]string{kUint: "uint", kInt: "int", kBool: "bool", kString: "string", kBytes: "bytes",
	kEnum: "enum", kStruct: "struct", kUnion: "union", kList: "list", kMap: "map", kOptional: "optional", kOptEmpty: "optional-empty"}

func (k kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// declRef names a declared Go type: name in package pkg.
type declRef struct {
	name string
	pkg  *schema.Package
}

// typ is a resolved type expression.
type typ struct {
	kind  kind
	spell string   // schema spelling, for comments
	ref   *declRef // the declared Go type (named type, enum, struct, union); nil for Go's own types

	// validate: call the hand-written Validate method of the named type ref
	// after decoding and before encoding.
	validate bool

	// min and max bound the length of kString and kBytes and the count of
	// kList and kMap; max is the largest value of kUint and kInt.
	min, max uint64

	set        bool // kList written as set<T>
	terminated bool // kList written as list<T, terminated>: no count, an empty string ends it (see emit_term.go)
	elem       *typ // kList, kOptional, kOptEmpty: the element; kMap: the value
	key        *typ // kMap
	// outline: values of this collection are encoded by helper functions
	// and its Go type is spelled through an alias (see emit_outline.go).
	outline bool

	enum  *enumIR   // kEnum
	strct *structIR // kStruct
	union *unionIR  // kUnion
}

// fixedSize returns the encoded size of every value of t, or -1 when it
// depends on the value.
func (t *typ) fixedSize() int {
	switch t.kind {
	case kUint, kInt, kBool, kEnum:
		return 8
	}
	return -1
}

// minSize returns a lower bound of the encoded size of any value of t at
// any protocol; list counts are checked against it before allocating.
func (t *typ) minSize() int {
	switch t.kind {
	case kString, kBytes:
		return 8 + int(min(t.min, 1<<20)+7)&^7
	case kStruct:
		return t.strct.minSize()
	case kOptEmpty:
		return 8
	}
	return 8
}

// native returns the Go type of the wire value that t's reads return and
// its writes take: uint64, bool, string or []byte.
func (t *typ) native() string {
	switch t.kind {
	case kUint, kInt, kEnum:
		return "uint64"
	case kBool:
		return "bool"
	case kString:
		return "string"
	case kBytes:
		return "[]byte"
	case kOptEmpty:
		return t.elem.native()
	}
	return ""
}

// goBuiltin returns the name of the Go type of t when it is not declared
// (ref == nil) and is a predeclared type, else "".
func (t *typ) goBuiltin() string {
	if t.ref != nil {
		return ""
	}
	switch t.kind {
	case kUint:
		switch t.max {
		case math.MaxUint8:
			return "uint8"
		case math.MaxUint16:
			return "uint16"
		case math.MaxUint32:
			return "uint32"
		}
		return "uint64"
	case kInt:
		return "int64"
	case kBool:
		return "bool"
	case kString:
		return "string"
	}
	return ""
}

// isNative reports whether a value of t has exactly the Go type native(),
// so that reads can assign to it without a conversion.
func (t *typ) isNative() bool {
	switch t.kind {
	case kUint:
		return t.ref == nil && t.max == math.MaxUint64
	case kBool, kString:
		return t.ref == nil
	case kBytes:
		return true // []byte is assignable to and from any named bytes type
	case kOptEmpty:
		return t.elem.isNative()
	}
	return false
}

// namedIR is a named type: type Name Under.
type namedIR struct {
	decl  *schema.Named
	under *typ // the type expression of the declaration
	t     *typ // a value of the named type
}

// enumIR is an enum.
type enumIR struct {
	decl  *schema.Enum
	gated []*schema.EnumValue // values that carry gates
	t     *typ
}

// structIR is a struct: its Go fields and its wire elements.
type structIR struct {
	decl    *schema.Struct
	t       *typ
	fields  []*fieldIR  // the Go fields, in order
	elems   []*elemIR   // wire elements in order; nil for a struct of layouts
	layouts []*layoutIR // nil for a plain struct
	union   *unionIR    // the union this struct is a variant of

	min     int  // minSize, once computed
	minDone bool // min is valid
	minBusy bool // min is being computed (a recursive type)
}

// fieldIR is a Go field of a struct.
type fieldIR struct {
	f *schema.Field
	t *typ
}

// elemIR is one element on the wire: a field or a constant.
type elemIR struct {
	field *fieldIR        // nil for a const element
	konst *schema.Literal // the constant written, for a const element
	name  string          // Go field name (or the const field's name)
	t     *typ
	gate  schema.Gate       // must hold for the element to be on the wire (within its layout)
	when  *schema.Condition // must hold too; nil: no condition
	at    *wire.Version     // the value is encoded at this version, without features; nil: at the function's protocol
	doc   string            // schema spelling, gates, for the comment above its code
}

// layoutIR is one layout of a struct of layouts.
type layoutIR struct {
	gate   schema.Gate
	elems  []*elemIR
	absent []*fieldIR // Go fields that are not on the wire in this layout
}

// unionIR is a union.
type unionIR struct {
	decl     *schema.Union
	t        *typ
	variants []*variantIR
}

// variantIR is a variant of a union.
type variantIR struct {
	v *schema.Variant
	s *structIR
}

// irPackage is the intermediate representation of a schema package and of
// the declarations of other packages that it uses.
type irPackage struct {
	pkg     *schema.Package
	named   map[*schema.Named]*namedIR
	enums   map[*schema.Enum]*enumIR
	structs map[*schema.Struct]*structIR
	unions  map[*schema.Union]*unionIR
	errs    []error

	fieldTypes map[*schema.Field]*typ // the type of every struct field, for when clauses

	terminated []termUse // the terminated lists, checked once every struct is built
}

// termUse is a terminated list type and where it is written.
type termUse struct {
	t   *typ
	pos schema.Pos
}

// buildIR resolves every declaration of pkg.
func buildIR(pkg *schema.Package) (*irPackage, error) {
	ir := &irPackage{
		pkg:     pkg,
		named:   map[*schema.Named]*namedIR{},
		enums:   map[*schema.Enum]*enumIR{},
		structs: map[*schema.Struct]*structIR{},
		unions:  map[*schema.Union]*unionIR{},

		fieldTypes: map[*schema.Field]*typ{},
	}
	for _, d := range pkg.Decls {
		ir.decl(d)
	}
	for _, u := range ir.terminated {
		if leadOf(u.t.elem) == nil {
			ir.errorf(u.pos, "%s: the element does not begin with a string that is always on the wire", typeSpell(u.t))
		}
	}
	if len(ir.errs) > 0 {
		return nil, joinErrors(ir.errs)
	}
	ir.markOutlines()
	return ir, nil
}

func (ir *irPackage) errorf(pos schema.Pos, format string, args ...any) {
	ir.errs = append(ir.errs, &schema.Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// decl returns the type of a value of the declaration d.
func (ir *irPackage) decl(d schema.Decl) *typ {
	switch d := d.(type) {
	case *schema.Named:
		return ir.namedOf(d).t
	case *schema.Enum:
		return ir.enumOf(d).t
	case *schema.Struct:
		return ir.structOf(d).t
	case *schema.Union:
		return ir.unionOf(d).t
	}
	panic(fmt.Sprintf("gen: unknown declaration %T", d))
}

func (ir *irPackage) namedOf(d *schema.Named) *namedIR {
	if n, ok := ir.named[d]; ok {
		return n
	}
	n := &namedIR{decl: d}
	ir.named[d] = n
	n.under = ir.typeOf(d.Type)
	if n.under.kind == kEnum || n.under.kind == kStruct || n.under.kind == kUnion {
		ir.errorf(d.Pos, "named type %s: a named type over %s is not supported", d.Name, n.under.spell)
	}
	t := *n.under
	t.ref = &declRef{name: d.Name, pkg: d.Pkg}
	t.validate = d.Validate
	t.spell = d.Name
	n.t = &t
	return n
}

func (ir *irPackage) enumOf(d *schema.Enum) *enumIR {
	if e, ok := ir.enums[d]; ok {
		return e
	}
	e := &enumIR{decl: d}
	e.t = &typ{kind: kEnum, spell: d.Name, ref: &declRef{name: d.Name, pkg: d.Pkg}, max: math.MaxUint64, enum: e}
	ir.enums[d] = e
	for _, v := range d.Values {
		if !v.Gate.Always() {
			e.gated = append(e.gated, v)
		}
	}
	return e
}

func (ir *irPackage) unionOf(d *schema.Union) *unionIR {
	if u, ok := ir.unions[d]; ok {
		return u
	}
	u := &unionIR{decl: d}
	u.t = &typ{kind: kUnion, spell: d.Name, ref: &declRef{name: d.Name, pkg: d.Pkg}, union: u}
	ir.unions[d] = u
	for _, v := range d.Variants {
		st := v.Struct
		if st == nil {
			if s, ok := v.Type.Decl.(*schema.Struct); ok {
				st = s
			}
		}
		if st == nil {
			ir.errorf(v.Pos, "union %s: variant %d is not a struct", d.Name, v.Tag)
			continue
		}
		s := ir.structOf(st)
		if s.union != nil && s.union != u {
			ir.errorf(v.Pos, "struct %s is a variant of unions %s and %s", st.Name, s.union.decl.Name, d.Name)
		}
		s.union = u
		u.variants = append(u.variants, &variantIR{v: v, s: s})
	}
	return u
}

func (ir *irPackage) structOf(d *schema.Struct) *structIR {
	if s, ok := ir.structs[d]; ok {
		return s
	}
	s := &structIR{decl: d}
	s.t = &typ{kind: kStruct, spell: d.Name, ref: &declRef{name: d.Name, pkg: d.Pkg}, strct: s}
	ir.structs[d] = s
	if d.Union != nil {
		defer ir.unionOf(d.Union) // marks s as its variant
	}

	byField := map[*schema.Field]*fieldIR{}
	for _, f := range d.Fields {
		ft := ir.typeOf(f.Type)
		ir.fieldTypes[f] = ft
		if f.Const != nil {
			continue
		}
		fi := &fieldIR{f: f, t: ft}
		byField[f] = fi
		s.fields = append(s.fields, fi)
	}
	elem := func(f *schema.Field, gate schema.Gate) *elemIR {
		e := &elemIR{field: byField[f], name: f.Name, gate: gate, when: f.When, at: f.At, konst: f.Const}
		if e.field != nil {
			e.t = e.field.t
		} else {
			e.t = ir.typeOf(f.Type)
			ir.checkConst(f, e.t)
		}
		if f.When != nil && f.When.Field == nil {
			ir.errorf(f.When.Pos, "field %s: unresolved condition on %s", f.Name, f.When.Name)
		}
		e.doc = f.Name + " " + typeSpell(e.t)
		if g := gateSpellIn(gate, ir.pkg, " "); g != "" {
			e.doc += " " + g
		}
		if f.When != nil {
			e.doc += " " + whenSpell(f.When)
		}
		if f.At != nil {
			e.doc += " at " + f.At.String()
		}
		if f.Const != nil {
			e.doc += " const " + literalSpell(f.Const)
		}
		return e
	}
	if d.Layouts == nil {
		for _, f := range d.Fields {
			s.elems = append(s.elems, elem(f, f.Gate))
		}
		return s
	}
	// A field's Gate is its own; it is on the wire when its layout is the
	// one selected and its Gate holds.
	for _, l := range d.Layouts {
		li := &layoutIR{gate: l.Gate}
		in := map[*schema.Field]bool{}
		for _, f := range l.Fields {
			in[f] = true
			li.elems = append(li.elems, elem(f, f.Gate))
		}
		for _, fi := range s.fields {
			if !in[fi.f] {
				li.absent = append(li.absent, fi)
			}
		}
		s.layouts = append(s.layouts, li)
	}
	return s
}

// checkConst reports const fields whose literal does not suit their type.
func (ir *irPackage) checkConst(f *schema.Field, t *typ) {
	c := f.Const
	ok := false
	switch t.kind {
	case kUint, kInt:
		ok = c.Kind == schema.IntLit && c.Int <= t.max
	case kBool:
		ok = c.Kind == schema.BoolLit
	case kString, kBytes:
		ok = c.Kind == schema.StringLit && uint64(len(c.Str)) <= t.max && uint64(len(c.Str)) >= t.min
	case kEnum:
		ok = (c.Kind == schema.IdentLit && c.Value != nil) || c.Kind == schema.IntLit
	}
	if !ok {
		ir.errorf(c.Pos, "const %s: a %s cannot be the constant %s", f.Name, typeSpell(t), literalSpell(c))
	}
}

// typeOf resolves a type expression.
func (ir *irPackage) typeOf(t *schema.Type) *typ {
	switch t.Kind {
	case schema.U8:
		return &typ{kind: kUint, spell: "u8", max: math.MaxUint8}
	case schema.U16:
		return &typ{kind: kUint, spell: "u16", max: math.MaxUint16}
	case schema.U32:
		return &typ{kind: kUint, spell: "u32", max: math.MaxUint32}
	case schema.U64:
		return &typ{kind: kUint, spell: "u64", max: math.MaxUint64}
	case schema.I64:
		return &typ{kind: kInt, spell: "i64", max: math.MaxInt64}
	case schema.Bool:
		return &typ{kind: kBool, spell: "bool"}
	case schema.String:
		return &typ{kind: kString, spell: "string", min: t.Min, max: maxOr(t.Max, schema.DefaultLimits.String)}
	case schema.Bytes:
		return &typ{kind: kBytes, spell: "bytes", min: t.Min, max: maxOr(t.Max, schema.DefaultLimits.Bytes)}
	case schema.List, schema.Set:
		l := &typ{kind: kList, set: t.Kind == schema.Set, terminated: t.Terminated, elem: ir.typeOf(t.Elem),
			min: t.Min, max: maxOr(t.Max, schema.DefaultLimits.Count)}
		if l.terminated {
			ir.terminated = append(ir.terminated, termUse{l, t.Pos})
		}
		return l
	case schema.Map:
		m := &typ{kind: kMap, key: ir.typeOf(t.Key), elem: ir.typeOf(t.Elem), min: t.Min, max: maxOr(t.Max, schema.DefaultLimits.Count)}
		switch m.key.kind {
		case kUint, kInt, kString, kEnum:
		default:
			ir.errorf(t.Pos, "map key %s: a key must be a string, integer or enum type", typeSpell(m.key))
		}
		return m
	case schema.Optional:
		elem := ir.typeOf(t.Elem)
		if t.Empty {
			if elem.kind != kString && elem.kind != kBytes {
				ir.errorf(t.Pos, "optional<%s, empty>: the type must be string-based", typeSpell(elem))
			}
			return &typ{kind: kOptEmpty, elem: elem}
		}
		return &typ{kind: kOptional, elem: elem}
	case schema.Ref:
		if t.Decl == nil {
			ir.errorf(t.Pos, "unresolved type %s", t.Name)
			return &typ{kind: kUint, spell: t.Name, max: math.MaxUint64}
		}
		return ir.decl(t.Decl)
	}
	panic(fmt.Sprintf("gen: unknown type kind %v", t.Kind))
}

func maxOr(v, def uint64) uint64 {
	if v == 0 {
		return def
	}
	return v
}

// minSize returns a lower bound of the encoded size of s at any protocol:
// the sizes of its elements without gates or conditions.
func (s *structIR) minSize() int {
	if s.minDone {
		return s.min
	}
	if s.minBusy || s.layouts != nil {
		return 0
	}
	s.minBusy = true
	n := 0
	for _, e := range s.elems {
		if e.gate.Always() && e.when == nil {
			n += e.t.minSize()
		}
	}
	s.minBusy = false
	s.min, s.minDone = n, true
	return n
}

// leadOf returns the leading string of a terminated list's element t: t
// itself when it is string-based, else the first element of the struct t,
// which must be a string-based field always on the wire. nil when t has no
// such lead (the checker reports it).
func leadOf(t *typ) *typ {
	switch t.kind {
	case kString, kBytes:
		return t
	case kStruct:
		s := t.strct
		if s.layouts != nil || len(s.elems) == 0 {
			return nil
		}
		e := s.elems[0]
		if e.field == nil || !e.gate.Always() || e.when != nil || !isPacket(e.t) {
			return nil
		}
		return e.t
	}
	return nil
}
