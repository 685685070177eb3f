// Command alloy validates Alloy configuration files with Alloy's own code (github.com/grafana/alloy
// at the version the catalog pins): the validator behind `alloy validate`
// (internal/alloycli/cmd_validate.go at v1.18.1), with the same service definitions and stability
// level, and a component registry holding the components the rendered configurations use (each
// registers itself on import, as internal/component/all does for the binary). The validator parses
// the file with Alloy's parser and decodes every component's arguments into that component's own
// Arguments type: an unknown block or argument, a wrong type, a missing required argument or a
// reference to an unknown component is an error.
//
//	alloy FILE...
//
// Prints "FILE: valid" for each; on the first invalid file, Alloy's own report on stderr, exit 1.
// A block naming a component not imported here is reported as an unknown component: add its import.
package main

import (
	"fmt"
	"os"

	"github.com/grafana/alloy/internal/component"
	"github.com/grafana/alloy/internal/featuregate"
	"github.com/grafana/alloy/internal/service"
	"github.com/grafana/alloy/internal/service/cluster"
	"github.com/grafana/alloy/internal/service/http"
	"github.com/grafana/alloy/internal/service/labelstore"
	"github.com/grafana/alloy/internal/service/livedebugging"
	"github.com/grafana/alloy/internal/service/otel"
	"github.com/grafana/alloy/internal/service/remotecfg"
	"github.com/grafana/alloy/internal/service/ui"
	"github.com/grafana/alloy/internal/validator"

	// The components tools/components/alloy.ts configures.
	_ "github.com/grafana/alloy/internal/component/discovery/kubernetes"
	_ "github.com/grafana/alloy/internal/component/discovery/relabel"
	_ "github.com/grafana/alloy/internal/component/local/file_match"
	_ "github.com/grafana/alloy/internal/component/loki/process"
	_ "github.com/grafana/alloy/internal/component/loki/source/file"
	_ "github.com/grafana/alloy/internal/component/loki/write"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: alloy FILE...")
		os.Exit(2)
	}
	services := []service.Service{&cluster.Service{}, &http.Service{}, &labelstore.Service{}, &livedebugging.Service{}, &otel.Service{}, &remotecfg.Service{}, &ui.Service{}}
	definitions := make([]service.Definition, 0, len(services))
	for _, s := range services {
		definitions = append(definitions, s.Definition())
	}
	for _, file := range os.Args[1:] {
		source, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		sources := map[string][]byte{file: source}
		// The workload runs with --stability.level=generally-available and no community components.
		err = validator.Validate(validator.Options{
			Sources:            sources,
			ServiceDefinitions: definitions,
			ComponentRegistry:  component.NewDefaultRegistry(featuregate.StabilityGenerallyAvailable, false),
			MinStability:       featuregate.StabilityGenerallyAvailable,
		})
		if err != nil {
			validator.Report(os.Stderr, err, sources)
			os.Exit(1)
		}
		fmt.Printf("%s: valid\n", file)
	}
}
