package main

import (
	"flag"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	dskitlog "github.com/grafana/dskit/log"
	"gopkg.in/yaml.v3"

	"github.com/grafana/loki/v3/pkg/loki"
	loki_runtime "github.com/grafana/loki/v3/pkg/runtime"
	"github.com/grafana/loki/v3/pkg/util/cfg"
	"github.com/grafana/loki/v3/pkg/validation"
)

// loadConfig follows cmd/loki/main.go (v3.7.6) from the config parse to where `-verify-config` exits.
// Logger set-up, tracing and the start itself are left out: they read the loaded config, never change it.
func loadConfig(args []string) error {
	var config loki.ConfigWrapper
	// main passes flag.CommandLine; a fresh set holds the same flags and keeps this process's own out.
	flags := flag.NewFlagSet("loki", flag.ContinueOnError)
	if err := cfg.DynamicUnmarshal(&config, args, flags); err != nil {
		return withKeyPaths(fmt.Errorf("failed parsing config: %w", err), configFile(args))
	}
	config.LimitsConfig.SetGlobalOTLPConfig(config.Distributor.OTLPConfig)
	if err := config.LimitsConfig.SetDefaultPolicyStreamMapping(config.Distributor.DefaultPolicyStreamMappings); err != nil {
		return fmt.Errorf("failed to set default policy stream mappings: %w", err)
	}
	validation.SetDefaultLimitsForYAMLUnmarshalling(config.LimitsConfig)
	loki_runtime.SetDefaultLimitsForYAMLUnmarshalling(config.OperationalConfig)
	if reflect.DeepEqual(&config.Server.LogLevel, &dskitlog.Level{}) {
		return fmt.Errorf("invalid log level")
	}
	if err := config.Validate(); err != nil {
		return fmt.Errorf("validating config: %w", err)
	}
	return nil
}

// configFile is the value of -config.file among the arguments ("" when absent).
func configFile(args []string) string {
	for i, arg := range args {
		name, value, found := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if name != "config.file" || !strings.HasPrefix(arg, "-") {
			continue
		}
		if found {
			return value
		}
		if i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

var lineRef = regexp.MustCompile(`line (\d+): `)

// withKeyPaths prefixes each `line N: …` of a YAML error (gopkg.in/yaml.v2, which Loki's loader uses)
// with the key path at that line of the file, e.g. `compactor.retention_enabled: line 31: …`.
func withKeyPaths(err error, file string) error {
	data, readErr := os.ReadFile(file)
	if readErr != nil || !lineRef.MatchString(err.Error()) {
		return err
	}
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		return err
	}
	paths := map[int]string{}
	collectPaths(&root, "", paths)
	text := lineRef.ReplaceAllStringFunc(err.Error(), func(ref string) string {
		n, _ := strconv.Atoi(lineRef.FindStringSubmatch(ref)[1])
		if path, ok := paths[n]; ok {
			return path + ": " + ref
		}
		return ref
	})
	return fmt.Errorf("%s", text)
}

// collectPaths records, for each line that holds a mapping key or a sequence item, its dotted key path
// (sequence items as [i]); the deepest path on a line wins, so an item's first key names it.
func collectPaths(node *yaml.Node, path string, paths map[int]string) {
	record := func(line int, p string) {
		if _, taken := paths[line]; !taken {
			paths[line] = p
		}
	}
	switch node.Kind {
	case yaml.DocumentNode:
		for _, child := range node.Content {
			collectPaths(child, path, paths)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(node.Content); i += 2 {
			key, value := node.Content[i], node.Content[i+1]
			p := key.Value
			if path != "" {
				p = path + "." + key.Value
			}
			record(key.Line, p)
			collectPaths(value, p, paths)
		}
	case yaml.SequenceNode:
		for i, item := range node.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			collectPaths(item, p, paths)
			record(item.Line, p)
		}
	}
}
