package sqlstore

import "testing"

// Both dialects must carry the same numbered migrations, so a database of either kind is
// at the same version after the same release.
func TestMigrationsNumberedIdenticallyPerDialect(t *testing.T) {
	sq, err := Migrations("sqlite")
	if err != nil {
		t.Fatal(err)
	}
	pg, err := Migrations("postgres")
	if err != nil {
		t.Fatal(err)
	}
	if len(sq) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(sq), len(pg))
	}
	for i := range sq {
		if sq[i].Version != pg[i].Version || sq[i].Name != pg[i].Name {
			t.Errorf("migration %d: sqlite %04d_%s, postgres %04d_%s", i, sq[i].Version, sq[i].Name, pg[i].Version, pg[i].Name)
		}
		if sq[i].Version != i+1 {
			t.Errorf("migration %d is numbered %d; numbers must run 1, 2, 3… without gaps", i, sq[i].Version)
		}
	}
}
