module github.com/nixwire/nixwire/bench

go 1.26.0

replace github.com/nixwire/nixwire => ../

require (
	github.com/nix-community/go-nix v0.0.0-20250101154619-4bdde671e0a1
	github.com/nixwire/nixwire v0.0.0-00010101000000-000000000000
)
