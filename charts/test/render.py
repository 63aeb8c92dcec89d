#!/usr/bin/env python3
"""Renders or lints the chart with real Helm (Helm v4 as a library: the PyPI package helm-python-sdk).

    render.py [-f VALUES.yaml]... [--set EXPR]... [--set-file KEY=PATH]... [--notes] [CHART]
    render.py --lint [-f VALUES.yaml]... [CHART]

Prints the manifests as `helm template` does (NOTES.txt alone with --notes); a failed render prints Helm's message on
stderr and exits 1. --lint prints every finding and exits 1 if there is any, info included: the chart is kept clean.
scripts/deps.sh installs the package into .build/helm-venv; the chart tests run this script with that interpreter.
"""
import argparse
import os
import sys

import helm_python as helm


def merge(base, extra):
    """Helm's rule for values given in order: maps merge key by key, anything else is replaced."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = value
    return base


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chart", nargs="?", default=os.path.join(here, "..", "scaleguard"))
    parser.add_argument("-f", "--values", action="append", default=[])
    parser.add_argument("--set", action="append", default=[])
    parser.add_argument("--set-file", action="append", default=[])
    parser.add_argument("--release", default="scaleguard")
    parser.add_argument("--namespace", default="scaleguard-system")
    parser.add_argument("--notes", action="store_true")
    parser.add_argument("--lint", action="store_true")
    args = parser.parse_args()
    helm.disable_logging()

    values = {}
    try:
        for path in args.values:
            with open(path) as f:
                merge(values, helm.values_from_yaml(f.read()) or {})
        for expression in args.set:
            merge(values, helm.parse_set_string(expression))
        for expression in args.set_file:
            merge(values, helm.parse_set_file(expression))
    except (OSError, helm.HelmError) as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1

    if args.lint:
        report = helm.lint(args.chart, values, namespace=args.namespace)
        findings = [f"[{m['severity']}] {m['path']}: {m['error']}" for m in report.get("messages", [])] + list(report.get("errors", []))
        print("\n".join(findings) if findings else "1 chart linted, no findings")
        return 1 if findings else 0

    try:
        chart = helm.Chart.load(args.chart)
        rendered = chart.render(values, name=args.release, namespace=args.namespace, is_install=True)
    except helm.HelmError as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1
    for path in sorted(rendered):
        text = rendered[path]
        if path.endswith("NOTES.txt") != args.notes or not text.strip():
            continue
        print(text if args.notes else f"---\n# Source: {path}\n{text.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
