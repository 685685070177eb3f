module example.invalid/observability-gitops/test/upstream/alloy

go 1.26.5

// Alloy's own configuration syntax module at the version github.com/grafana/alloy v1.18.1 requires
// (its go.mod: `github.com/grafana/alloy/syntax v0.1.1`, replaced there by the local ./syntax).
// The main module cannot be built with the Go module proxy alone (see main.go), so the components'
// argument types, which live in its internal/ packages, are out of reach.
require github.com/grafana/alloy/syntax v0.1.1

require (
	github.com/blang/semver/v4 v4.0.0 // indirect
	github.com/fatih/color v1.19.0 // indirect
	github.com/mattn/go-colorable v0.1.15 // indirect
	github.com/mattn/go-isatty v0.0.22 // indirect
	github.com/ohler55/ojg v1.28.1 // indirect
	golang.org/x/sys v0.46.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
