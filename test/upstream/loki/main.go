// Command loki runs Loki's own code (github.com/grafana/loki/v3 at the version the catalog pins) over
// what the repository renders. Two uses:
//
//	loki -config.file=FILE -config.expand-env=true -target=T
//	    Loads the configuration exactly as the Loki binary does before it starts (cmd/loki/main.go at
//	    v3.7.6: a loki.ConfigWrapper filled by cfg.DynamicUnmarshal from the same arguments, the
//	    default-limits setters main calls, then config.Validate(), where `-verify-config` stops). The
//	    environment is the workload's: `${VAR}` placeholders expand from this process's environment.
//	    Prints "config is valid" (exit 0), or the first error on stderr (exit 1), prefixed with the
//	    key path when the error names a line of the file (`compactor.retention_enabled: line 31: …`).
//
//	loki logql < REQUEST.json
//	    Parses LogQL queries with Loki's parser and runs their log pipelines over log lines: see logql.go.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "logql" {
		if err := runLogQL(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if err := loadConfig(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("config is valid")
}
