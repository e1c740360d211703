package schema

// Derived messages and protocols: the model of `struct D from B { … }`,
// `op O from B.Op { … }` and `protocol P extends B.Q`. README.md
// ("Derived messages") describes the language; check_derive.go the rules.

// Protocol is a protocol of a package, named by a file's protocol
// statement.
type Protocol struct {
	Pos  Pos
	Doc  string
	Name string
	// Base is the protocol this one extends (`protocol P extends Q`),
	// possibly of an imported package; nil for none. Its ops are served
	// and looked up after this protocol's own.
	Base *Protocol
	Pkg  *Package // the declaring package
}

// NameRef is a possibly qualified name as written: `nix.QueryPathInfo`.
type NameRef struct {
	Pos  Pos
	Qual string // import's local name; "" for this package
	Name string
}

// String spells r as written.
func (r *NameRef) String() string {
	if r.Qual != "" {
		return r.Qual + "." + r.Name
	}
	return r.Name
}

// Derivation says how a struct derives from another (Struct.Derived).
type Derivation struct {
	// From is the base struct type as written, resolved (From.Decl).
	From *Type
	// Base is the base struct; nil while unresolved.
	Base *Struct
	// Own are the fields the derived struct declares itself, in their
	// order of declaration: the Go fields of the derived struct beside the
	// embedded base. Struct.Fields and Struct.Layouts hold the merged wire
	// order (the base's fields with the own ones inserted).
	Own []*Field
	// NewLayouts are the layouts the derived struct adds for new version
	// ranges; they are among Struct.Layouts too.
	NewLayouts []*Layout
}

// FieldPos is the position clause of a field of a derived struct:
// `after Name` (After set), else the end.
type FieldPos struct {
	Pos   Pos    // of the after keyword
	After string // the field after which this one goes
}

// inherited marks a field line of a derived layout written as a bare name:
// the base's field of that name (Field.Type is nil until resolved).
func (f *Field) inherited() bool { return f.Type == nil }
