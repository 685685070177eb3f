package main

import (
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"sort"
	"unsafe"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/grafana/loki/v3/pkg/distributor"
	"github.com/grafana/loki/v3/pkg/logproto"
	"github.com/grafana/loki/v3/pkg/logql/syntax"
	"github.com/grafana/loki/v3/pkg/validation"
)

// logqlRequest is what `loki logql` reads on stdin.
type logqlRequest struct {
	// Queries by name, as Loki receives them (Grafana's variables already substituted).
	Queries map[string]string `json:"queries"`
	Lines   []struct {
		ID     string            `json:"id"`
		Labels map[string]string `json:"labels"`
		Line   string            `json:"line"`
	} `json:"lines"`
}

// queryResult says which lines a query's log pipelines keep.
type queryResult struct {
	// Error: the query does not parse or a pipeline cannot be built (Loki would refuse the query).
	Error string `json:"error,omitempty"`
	// Selectors: how many log selectors (stream selector and pipeline) the query holds.
	Selectors int `json:"selectors"`
	// GroupBy: the labels of every `by (…)` grouping in the query (aggregations over vectors and ranges).
	GroupBy []string `json:"groupBy"`
	// Kept: the ids of the lines one of its log selectors keeps, in input order, each with the labels
	// the pipeline leaves on it (stream labels, structured metadata and parsed labels).
	Kept []keptLine `json:"kept"`
}

type keptLine struct {
	ID     string            `json:"id"`
	Labels map[string]string `json:"labels"`
}

type logqlResponse struct {
	// DetectedLevel: the detected_level Loki's distributor attaches to each line, by id ("" = none).
	DetectedLevel map[string]string      `json:"detectedLevel"`
	Queries       map[string]queryResult `json:"queries"`
}

// runLogQL parses each query with syntax.ParseExpr, finds every log selector in it (the selector of a
// log query, each range of a metric query, both sides of a binary operation, `offset` included) and
// runs that selector's own pipeline (LogSelectorExpr.Pipeline, the one the querier builds) over each
// line whose stream labels its matchers accept. Each line carries the structured metadata the
// distributor adds at ingestion: detected_level (pkg/distributor/field_detection.go).
func runLogQL(in io.Reader, out io.Writer) error {
	var request logqlRequest
	if err := json.NewDecoder(in).Decode(&request); err != nil {
		return fmt.Errorf("reading the request: %w", err)
	}
	detector := defaultFieldDetector()
	response := logqlResponse{DetectedLevel: map[string]string{}, Queries: map[string]queryResult{}}
	metadata := make([]labels.Labels, len(request.Lines))
	for i, line := range request.Lines {
		stream := labels.FromMap(line.Labels)
		entry := logproto.Entry{Line: line.Line}
		level, ok := extractLogLevel(detector, stream, labels.EmptyLabels(), entry)
		if ok {
			metadata[i] = labels.FromStrings(level.Name, level.Value)
			response.DetectedLevel[line.ID] = level.Value
		} else {
			metadata[i] = labels.EmptyLabels()
			response.DetectedLevel[line.ID] = ""
		}
	}
	names := make([]string, 0, len(request.Queries))
	for name := range request.Queries {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		result := queryResult{Kept: []keptLine{}}
		selectors, groupBy, err := logSelectors(request.Queries[name])
		if err != nil {
			result.Error = err.Error()
			response.Queries[name] = result
			continue
		}
		result.Selectors = len(selectors)
		result.GroupBy = groupBy
		for i, line := range request.Lines {
			stream := labels.FromMap(line.Labels)
			for _, selector := range selectors {
				if !matchesAll(selector.Matchers(), stream) {
					continue
				}
				pipeline, err := selector.Pipeline()
				if err != nil {
					result.Error = err.Error()
					break
				}
				_, lbls, keep := pipeline.ForStream(stream).ProcessString(0, line.Line, metadata[i])
				if keep {
					result.Kept = append(result.Kept, keptLine{ID: line.ID, Labels: lbls.Labels().Map()})
					break
				}
			}
		}
		response.Queries[name] = result
	}
	encoder := json.NewEncoder(out)
	encoder.SetIndent("", "  ")
	return encoder.Encode(response)
}

// logSelectors parses a query as Loki's query API does and returns its outermost log selectors and
// the labels its `by (…)` groupings name.
func logSelectors(query string) ([]syntax.LogSelectorExpr, []string, error) {
	expr, err := syntax.ParseExpr(query)
	if err != nil {
		return nil, nil, err
	}
	var selectors []syntax.LogSelectorExpr
	groupBy := []string{}
	grouping := func(g *syntax.Grouping) {
		if g != nil && !g.Without {
			groupBy = append(groupBy, g.Groups...)
		}
	}
	expr.Walk(func(e syntax.Expr) bool {
		switch e := e.(type) {
		case syntax.LogSelectorExpr:
			selectors = append(selectors, e)
			return false
		case *syntax.VectorAggregationExpr:
			grouping(e.Grouping)
		case *syntax.RangeAggregationExpr:
			grouping(e.Grouping)
		}
		return true
	})
	if len(selectors) == 0 {
		return nil, nil, fmt.Errorf("no log selector in %q", query)
	}
	return selectors, groupBy, nil
}

func matchesAll(matchers []*labels.Matcher, stream labels.Labels) bool {
	for _, m := range matchers {
		if !m.Matches(stream.Get(m.Name)) {
			return false
		}
	}
	return true
}

// extractLogLevel is the distributor's own level detection, (*FieldDetector).extractLogLevel at
// pkg/distributor/field_detection.go:96 (v3.7.6), unexported upstream: reached by its linker name so
// that the level comes from Loki's code, not a copy of it.
//
//go:linkname extractLogLevel github.com/grafana/loki/v3/pkg/distributor.(*FieldDetector).extractLogLevel
func extractLogLevel(detector *distributor.FieldDetector, stream labels.Labels, structuredMetadata labels.Labels, entry logproto.Entry) (logproto.LabelAdapter, bool)

// defaultFieldDetector is the FieldDetector newFieldDetector builds for a tenant with default limits
// (field_detection.go:73-86): level fields validation.DefaultAllowedLevelFields (limits_config
// log_level_fields empty), JSON depth 2 (-validation.log-level-from-json-max-depth). Its fields are
// unexported, so they are set through reflection.
func defaultFieldDetector() *distributor.FieldDetector {
	detector := &distributor.FieldDetector{}
	fieldsMap := make(map[string]struct{}, len(validation.DefaultAllowedLevelFields))
	for _, f := range validation.DefaultAllowedLevelFields {
		fieldsMap[f] = struct{}{}
	}
	set(detector, "allowedLevelLabels", append([]string(nil), validation.DefaultAllowedLevelFields...))
	set(detector, "allowedLevelLabelsMap", fieldsMap)
	set(detector, "logLevelFromJSONMaxDepth", 2)
	return detector
}

func set(target any, field string, value any) {
	f := reflect.ValueOf(target).Elem().FieldByName(field)
	if !f.IsValid() {
		panic(fmt.Sprintf("distributor.FieldDetector has no field %s at this Loki version", field))
	}
	reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Set(reflect.ValueOf(value))
}
