package export

import (
	"fmt"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/etl"
)

// Namespace prefixes every metric chiso exports.
const Namespace = "chiso"

// ICT is Vietnam's civil time (UTC+7, no daylight saving since 1975). A fixed
// zone avoids depending on the host's tzdata.
var ICT = time.FixedZone("ICT", 7*60*60)

// MetricName is the gauge family of an indicator: chiso_<code>, except that
// percent indicators are exported as ratios (value/100) and named
// chiso_<code without _pct>_ratio, following Prometheus base-unit practice.
func MetricName(in *etl.Indicator) string {
	code := sanitize(in.Code)
	if in.Unit == "percent" {
		return Namespace + "_" + strings.TrimSuffix(code, "_pct") + "_ratio"
	}
	return Namespace + "_" + code
}

// ExportValue converts a value in the catalog unit to the exported unit.
func ExportValue(in *etl.Indicator, v float64) float64 {
	if in.Unit == "percent" {
		return v / 100
	}
	return v
}

// helpText describes an indicator gauge from its English name and unit.
func helpText(in *etl.Indicator) string {
	name := strings.TrimSpace(in.NameEN)
	if name == "" {
		name = in.Code
	}
	var unit string
	switch in.Unit {
	case "percent":
		unit = "ratio 0-1, reported as a percentage"
	case "vnd":
		unit = "Vietnamese dong"
	case "per_100_residents":
		unit = "per 100 residents"
	case "count":
		unit = "count"
	default:
		unit = in.Unit
	}
	return fmt.Sprintf("%s (%s, %s). Latest reported value per province.", name, unit, in.Kind)
}

// PeriodEndSeconds is the exported period end: the instant the period's last
// calendar day ends in Vietnam, i.e. 00:00 ICT (17:00 UTC) of the following
// day. The calendar date is read in the time's own location (the warehouse
// stores dates as UTC midnights).
func PeriodEndSeconds(end time.Time) float64 {
	y, m, d := end.Date()
	return float64(time.Date(y, m, d+1, 0, 0, 0, 0, ICT).Unix())
}

// sanitize keeps a catalog code a valid, lint-clean metric name fragment.
func sanitize(code string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(code) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
