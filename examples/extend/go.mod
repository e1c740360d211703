module github.com/nixwire/nixwire/examples/extend

go 1.26.0

require github.com/nixwire/nixwire v0.0.0

require (
	github.com/dave/jennifer v1.7.1 // indirect
	golang.org/x/mod v0.42.0 // indirect
	golang.org/x/sync v0.24.0 // indirect
	golang.org/x/tools v0.52.0 // indirect
)

replace github.com/nixwire/nixwire => ../..

tool github.com/nixwire/nixwire/cmd/nixwire-gen
