package sigv4_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// bigBody is a NotifyWorkers call of about 2 KB, a typical large request.
func bigBody() []byte {
	ids := make([]string, 0, 60)
	for i := range 60 {
		ids = append(ids, `"A`+strings.Repeat("1", 10)+string(rune('A'+i%26))+`WORKER"`)
	}
	return []byte(`{"Subject":"A bonus for your recent work","MessageText":"` + strings.Repeat("Thank you! ", 80) +
		`","WorkerIds":[` + strings.Join(ids, ",") + `]}`)
}
