package demo

import (
	"fmt"
	"slices"
	"strings"
)

// unit is a linear mapping to its category's base unit: base = v*scale + offset.
// Only temperatures have an offset.
type unit struct {
	symbol   string
	name     string
	category string
	scale    float64
	offset   float64
	aliases  []string
}

// Categories, in the order they are documented.
var unitCategories = []string{"length", "mass", "temperature", "data"}

// units lists every supported unit. Base units: metre, kilogram, kelvin, byte.
// Data sizes use SI prefixes for kB/MB/GB (powers of 1000) and IEC prefixes for
// KiB/MiB/GiB (powers of 1024).
var units = []unit{
	{"m", "metre", "length", 1, 0, []string{"meter", "meters", "metre", "metres"}},
	{"km", "kilometre", "length", 1e3, 0, []string{"kilometer", "kilometers", "kilometre", "kilometres"}},
	{"cm", "centimetre", "length", 1e-2, 0, []string{"centimeter", "centimeters", "centimetre", "centimetres"}},
	{"mm", "millimetre", "length", 1e-3, 0, []string{"millimeter", "millimeters", "millimetre", "millimetres"}},
	{"um", "micrometre", "length", 1e-6, 0, []string{"µm", "micrometer", "micrometers", "micron", "microns"}},
	{"nm", "nanometre", "length", 1e-9, 0, []string{"nanometer", "nanometers"}},
	{"mi", "mile", "length", 1609.344, 0, []string{"mile", "miles"}},
	{"yd", "yard", "length", 0.9144, 0, []string{"yard", "yards"}},
	{"ft", "foot", "length", 0.3048, 0, []string{"foot", "feet"}},
	{"in", "inch", "length", 0.0254, 0, []string{"inch", "inches"}},
	{"nmi", "nautical mile", "length", 1852, 0, []string{"nautical mile", "nautical miles"}},

	{"kg", "kilogram", "mass", 1, 0, []string{"kilogram", "kilograms", "kilo", "kilos"}},
	{"g", "gram", "mass", 1e-3, 0, []string{"gram", "grams"}},
	{"mg", "milligram", "mass", 1e-6, 0, []string{"milligram", "milligrams"}},
	{"ug", "microgram", "mass", 1e-9, 0, []string{"µg", "mcg", "microgram", "micrograms"}},
	{"t", "tonne", "mass", 1e3, 0, []string{"tonne", "tonnes", "metric ton", "metric tons"}},
	{"lb", "pound", "mass", 0.45359237, 0, []string{"lbs", "pound", "pounds"}},
	{"oz", "ounce", "mass", 0.028349523125, 0, []string{"ounce", "ounces"}},
	{"st", "stone", "mass", 6.35029318, 0, []string{"stone", "stones"}},

	{"K", "kelvin", "temperature", 1, 0, []string{"kelvin", "kelvins"}},
	{"C", "degree Celsius", "temperature", 1, 273.15, []string{"°c", "celsius", "centigrade"}},
	{"F", "degree Fahrenheit", "temperature", 5.0 / 9, 459.67 * 5 / 9, []string{"°f", "fahrenheit"}},
	{"R", "degree Rankine", "temperature", 5.0 / 9, 0, []string{"°r", "rankine"}},

	{"bit", "bit", "data", 1.0 / 8, 0, []string{"bits"}},
	{"B", "byte", "data", 1, 0, []string{"byte", "bytes"}},
	{"kB", "kilobyte", "data", 1e3, 0, []string{"kilobyte", "kilobytes"}},
	{"MB", "megabyte", "data", 1e6, 0, []string{"megabyte", "megabytes"}},
	{"GB", "gigabyte", "data", 1e9, 0, []string{"gigabyte", "gigabytes"}},
	{"TB", "terabyte", "data", 1e12, 0, []string{"terabyte", "terabytes"}},
	{"PB", "petabyte", "data", 1e15, 0, []string{"petabyte", "petabytes"}},
	{"KiB", "kibibyte", "data", 1 << 10, 0, []string{"kibibyte", "kibibytes"}},
	{"MiB", "mebibyte", "data", 1 << 20, 0, []string{"mebibyte", "mebibytes"}},
	{"GiB", "gibibyte", "data", 1 << 30, 0, []string{"gibibyte", "gibibytes"}},
	{"TiB", "tebibyte", "data", 1 << 40, 0, []string{"tebibyte", "tebibytes"}},
	{"PiB", "pebibyte", "data", 1 << 50, 0, []string{"pebibyte", "pebibytes"}},
	{"kbit", "kilobit", "data", 1e3 / 8, 0, []string{"kilobit", "kilobits"}},
	{"Mbit", "megabit", "data", 1e6 / 8, 0, []string{"megabit", "megabits"}},
	{"Gbit", "gigabit", "data", 1e9 / 8, 0, []string{"gigabit", "gigabits"}},
}

// unitIndex maps every symbol to its unit; unitIndexFold maps lowercase
// symbols and aliases. Exact symbols win, so "K" is kelvin and "kB" a kilobyte;
// case-insensitive "mb" means megabytes (write "Mbit" for megabits).
var unitIndex, unitIndexFold = buildUnitIndex()

func buildUnitIndex() (exact, fold map[string]*unit) {
	exact = make(map[string]*unit)
	fold = make(map[string]*unit)
	for i := range units {
		u := &units[i]
		exact[u.symbol] = u
		fold[strings.ToLower(u.symbol)] = u
		for _, a := range u.aliases {
			fold[a] = u
		}
	}
	return exact, fold
}

func lookupUnit(s string) (*unit, error) {
	s = strings.TrimSpace(s)
	if u, ok := unitIndex[s]; ok {
		return u, nil
	}
	if u, ok := unitIndexFold[strings.ToLower(s)]; ok {
		return u, nil
	}
	return nil, fmt.Errorf("unknown unit %q (supported: %s)", s, strings.Join(unitSymbols(""), ", "))
}

// unitSymbols returns the symbols of a category, or of all units if category is empty.
func unitSymbols(category string) []string {
	var out []string
	for _, u := range units {
		if category == "" || u.category == category {
			out = append(out, u.symbol)
		}
	}
	return out
}

// convert converts v from one unit to another of the same category.
func convert(v float64, from, to string) (float64, *unit, *unit, error) {
	f, err := lookupUnit(from)
	if err != nil {
		return 0, nil, nil, err
	}
	t, err := lookupUnit(to)
	if err != nil {
		return 0, nil, nil, err
	}
	if f.category != t.category {
		return 0, nil, nil, fmt.Errorf("cannot convert %s (%s) to %s (%s)", f.symbol, f.category, t.symbol, t.category)
	}
	base := v*f.scale + f.offset
	if f.category == "temperature" && base < -1e-9 {
		return 0, nil, nil, fmt.Errorf("%s %s is below absolute zero", formatNumber(v), f.symbol)
	}
	r, err := checkFinite((base-t.offset)/t.scale, "the result")
	if err != nil {
		return 0, nil, nil, err
	}
	return roundNumber(r), f, t, nil
}

// unitsMarkdown documents the units of one category as a Markdown table.
func unitsMarkdown(category string) (string, bool) {
	if !slices.Contains(unitCategories, category) {
		return "", false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# %s units\n\n| symbol | name | also accepted |\n|---|---|---|\n", category)
	for _, u := range units {
		if u.category == category {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", u.symbol, u.name, strings.Join(u.aliases, ", "))
		}
	}
	return b.String(), true
}
