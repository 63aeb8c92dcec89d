// Renders a Helm chart the way `helm template` does, for tests on machines without Helm:
// Go's text/template, sprig's functions, and the Helm functions the chart uses (include, tpl, required, toYaml).
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go run render.go -chart ../scaleguard [-f values.yaml]... [-set-file key=path]... [-notes]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/ioutil"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	chartDir := flag.String("chart", "../scaleguard", "chart folder")
	release := flag.String("release", "scaleguard", "release name")
	namespace := flag.String("namespace", "scaleguard-system", "release namespace")
	notes := flag.Bool("notes", false, "render NOTES.txt instead of the manifests")
	var valueFiles, setFiles multiFlag
	flag.Var(&valueFiles, "f", "values file (repeatable)")
	flag.Var(&setFiles, "set-file", "key=path: a value read from a file (repeatable)")
	flag.Parse()

	chart := map[string]interface{}{}
	must(yaml.Unmarshal(read(filepath.Join(*chartDir, "Chart.yaml")), &chart))
	values := map[string]interface{}{}
	must(yaml.Unmarshal(read(filepath.Join(*chartDir, "values.yaml")), &values))
	for _, file := range valueFiles {
		override := map[string]interface{}{}
		must(yaml.Unmarshal(read(file), &override))
		merge(values, override)
	}
	for _, pair := range setFiles {
		kv := strings.SplitN(pair, "=", 2)
		if len(kv) != 2 {
			fail(fmt.Errorf("-set-file takes key=path, not %q", pair))
		}
		set(values, strings.Split(kv[0], "."), string(read(kv[1])))
	}

	name := chart["name"].(string)
	top := map[string]interface{}{
		"Values":  values,
		"Release": map[string]interface{}{"Name": *release, "Namespace": *namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false},
		"Chart":   map[string]interface{}{"Name": name, "Version": chart["version"], "AppVersion": chart["appVersion"]},
		"Template": map[string]interface{}{"BasePath": name + "/templates"},
	}

	root := template.New("root").Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	funcs["toYaml"] = toYaml
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil || v == "" {
			return nil, fmt.Errorf("%s", msg)
		}
		return v, nil
	}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var out bytes.Buffer
		err := root.ExecuteTemplate(&out, name, data)
		return out.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err = t.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var out bytes.Buffer
		err = t.Execute(&out, data)
		return out.String(), err
	}
	root.Funcs(funcs)

	files, err := filepath.Glob(filepath.Join(*chartDir, "templates", "*"))
	must(err)
	sort.Strings(files)
	for _, file := range files {
		_, err := root.New(name + "/templates/" + filepath.Base(file)).Parse(string(read(file)))
		must(err)
	}
	for _, file := range files {
		base := filepath.Base(file)
		if strings.HasPrefix(base, "_") || (base == "NOTES.txt") != *notes {
			continue
		}
		var out bytes.Buffer
		must(root.ExecuteTemplate(&out, name+"/templates/"+base, top))
		text := strings.TrimSpace(out.String())
		if text == "" {
			continue
		}
		if *notes {
			fmt.Println(text)
			continue
		}
		fmt.Printf("---\n# Source: %s/templates/%s\n%s\n", name, base, text)
	}
}

// toYaml is Helm's: the value as YAML without the final newline.
func toYaml(v interface{}) string {
	var out bytes.Buffer
	encoder := yaml.NewEncoder(&out)
	encoder.SetIndent(2)
	if err := encoder.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(out.String(), "\n")
}

func merge(into, from map[string]interface{}) {
	for key, value := range from {
		if sub, ok := value.(map[string]interface{}); ok {
			if existing, ok := into[key].(map[string]interface{}); ok {
				merge(existing, sub)
				continue
			}
		}
		into[key] = value
	}
}

func set(values map[string]interface{}, path []string, value string) {
	for _, key := range path[:len(path)-1] {
		next, ok := values[key].(map[string]interface{})
		if !ok {
			next = map[string]interface{}{}
			values[key] = next
		}
		values = next
	}
	values[path[len(path)-1]] = value
}

func read(path string) []byte {
	data, err := ioutil.ReadFile(path)
	must(err)
	return data
}

func must(err error) {
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "render:", err)
	os.Exit(1)
}
