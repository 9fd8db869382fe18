package warehouse

import (
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/etl"
)

// keepGrainByMap is the straightforward definition keepGrain must match:
// per grain the best score wins, the first on ties, the rest are
// candidates in their original order after the given ones.
func keepGrainByMap(facts, cands []etl.Fact) ([]etl.Fact, []etl.Fact) {
	type grain struct {
		prov, ind string
		p         periodID
	}
	best := map[grain]int{}
	for i, f := range facts {
		g := grain{f.ProvinceCode, f.Indicator, periodOf(f.Period.Start, f.Period.End, f.Period.Grain)}
		if j, ok := best[g]; !ok || f.Score > facts[j].Score {
			best[g] = i
		}
	}
	var keep []etl.Fact
	out := append([]etl.Fact(nil), cands...)
	for i, f := range facts {
		if best[grain{f.ProvinceCode, f.Indicator, periodOf(f.Period.Start, f.Period.End, f.Period.Grain)}] == i {
			keep = append(keep, f)
		} else {
			out = append(out, f)
		}
	}
	return keep, out
}

func TestKeepGrain(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	y := func(n int) etl.Period {
		return etl.Period{Start: time.Date(n, 1, 1, 0, 0, 0, 0, time.UTC), End: time.Date(n, 12, 31, 0, 0, 0, 0, time.UTC), Grain: etl.GrainYear}
	}
	for trial := range 2000 {
		n := r.IntN(12)
		var facts []etl.Fact
		for i := range n {
			facts = append(facts, etl.Fact{ProvinceCode: []string{"68", "04"}[r.IntN(2)], Indicator: []string{"bts_stations", "fines_vnd"}[r.IntN(2)],
				Period: y(2020 + r.IntN(2)), Score: float64(r.IntN(3)), Value: float64(i)})
		}
		cands := []etl.Fact{{Indicator: "c", Value: -1}}
		k1, c1 := keepGrain(facts, cands)
		k2, c2 := keepGrainByMap(facts, cands)
		if len(k1) != len(k2) || len(c1) != len(c2) || len(k1) > 0 && !reflect.DeepEqual(k1, k2) || !reflect.DeepEqual(c1, c2) {
			t.Fatalf("trial %d: keepGrain(%v)\n = %v, %v\nwant %v, %v", trial, facts, k1, c1, k2, c2)
		}
	}
}
