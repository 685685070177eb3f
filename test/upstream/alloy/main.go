// Command alloy parses Alloy configuration files with Alloy's own parser
// (github.com/grafana/alloy/syntax at the version Alloy v1.18.1 requires: parser.ParseFile, the
// parser the Alloy binary loads its configuration with) and evaluates, with Alloy's own expression
// VM and standard library (syntax/vm), every attribute that refers to no component's exports.
//
//	alloy FILE...
//
// Prints one JSON object per file on stdout, {"file", "blocks": [{"name", "label", "attributes",
// "blocks"}...]}; on the first error, the file, line and column and Alloy's message on stderr, exit 1.
//
// Why not the validator behind `alloy validate` (internal/validator, which decodes each component's
// arguments into its own types): it lives in the github.com/grafana/alloy main module, and that
// module's requirements at v1.18.1 cannot be downloaded through the Go module proxy this project
// uses: `go mod tidy` stops with, among others,
//
//	github.com/prometheus/common@v0.67.6-0.20260415130754-a4fac5c9b6d9: reading
//	  https://proxy.golang.org/github.com/prometheus/common/@v/v0.67.6-0.20260415130754-a4fac5c9b6d9.zip: 403 Forbidden
//	github.com/grafana/ckit@v0.0.0-20260226120531-bbed30d6364e: verifying module: reading
//	  https://proxy.golang.org/sumdb/sum.golang.org/lookup/github.com/grafana/ckit@v0.0.0-20260226120531-bbed30d6364e: 404 Not Found
//
// (also github.com/grafana/loki/pkg/push, github.com/grafana/cadvisor, the prometheus-operator and
// YACE forks among Alloy's replace targets). Both are required by the components our configuration
// uses (loki.source.file, the cluster and http services), so no subset of the main module builds.
//
// Tried again on 2026-11-30 with a program requiring github.com/grafana/alloy v1.18.1 and importing
// flowcmd, every replace and exclude of Alloy's go.mod copied: `go mod tidy` (Go 1.26.8) and
// `GOTOOLCHAIN=go1.27.3 GOFLAGS=-mod=mod go build` both stop on 81 refused module versions (403 from
// the proxy or 404 from the checksum database), among them github.com/grafana/beyla/v3@v3.28.0,
// github.com/grafana/walqueue, github.com/grafana/opentelemetry-ebpf-profiler and the
// opentelemetry-collector-contrib modules at v0.153.0. The components' documented arguments are
// checked instead by the `alloy/component-arguments` gate (tools/validate/alloy-arguments.ts).
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/grafana/alloy/syntax/ast"
	"github.com/grafana/alloy/syntax/diag"
	"github.com/grafana/alloy/syntax/parser"
	"github.com/grafana/alloy/syntax/vm"
)

type block struct {
	Name       string   `json:"name"`
	Label      string   `json:"label,omitempty"`
	Attributes []string `json:"attributes"`
	Blocks     []block  `json:"blocks"`
}

type file struct {
	File   string  `json:"file"`
	Blocks []block `json:"blocks"`
}

// references reports whether an expression reads an identifier (a component's export or an argument):
// those need the running graph and are left alone.
func references(expr ast.Expr) bool {
	found := false
	ast.Walk(visitor(func(n ast.Node) {
		if _, ok := n.(*ast.IdentifierExpr); ok {
			found = true
		}
	}), expr)
	return found
}

type visitor func(ast.Node)

func (v visitor) Visit(n ast.Node) ast.Visitor {
	if n != nil {
		v(n)
	}
	return v
}

func body(stmts ast.Body, path string) ([]block, []string, error) {
	blocks := []block{}
	attributes := []string{}
	for _, stmt := range stmts {
		switch s := stmt.(type) {
		case *ast.AttributeStmt:
			attributes = append(attributes, s.Name.Name)
			if references(s.Value) {
				continue
			}
			var value any
			if err := vm.New(s.Value).Evaluate(nil, &value); err != nil {
				return nil, nil, fmt.Errorf("%s: %s: %w", ast.StartPos(s).Position(), strings.TrimPrefix(path+"."+s.Name.Name, "."), err)
			}
		case *ast.BlockStmt:
			name := strings.Join(s.Name, ".")
			inner, attrs, err := body(s.Body, strings.TrimPrefix(path+"."+name, "."))
			if err != nil {
				return nil, nil, err
			}
			blocks = append(blocks, block{Name: name, Label: s.Label, Attributes: attrs, Blocks: inner})
		}
	}
	return blocks, attributes, nil
}

func check(name string) (*file, error) {
	source, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	parsed, err := parser.ParseFile(name, source)
	if err != nil {
		var diags diag.Diagnostics
		if errors.As(err, &diags) && len(diags) > 0 {
			return nil, fmt.Errorf("%s: %s", diags[0].StartPos, diags[0].Message)
		}
		return nil, err
	}
	blocks, _, err := body(parsed.Body, "")
	if err != nil {
		return nil, err
	}
	return &file{File: name, Blocks: blocks}, nil
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: alloy FILE...")
		os.Exit(2)
	}
	for _, name := range os.Args[1:] {
		result, err := check(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		out, _ := json.Marshal(result)
		fmt.Println(string(out))
	}
}
