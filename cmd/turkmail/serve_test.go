package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startServe runs the real binary's serve on a free port and returns its base URL once it
// prints the listening line.
func startServe(t *testing.T, bin string, args ...string) (*exec.Cmd, string, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, _ := cmd.StdoutPipe()
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if url, ok := strings.CutPrefix(lines.Text(), "listening on "); ok {
			go io.Copy(io.Discard, stdout)
			return cmd, url, &logs
		}
	}
	t.Fatalf("serve never said where it listens; logs:\n%s", logs.String())
	return nil, "", nil
}

// serve answers the probes and metrics, logs JSON when asked, and on SIGTERM lets a request
// in flight finish before it exits 0.
func TestServeProbesMetricsAndGracefulStop(t *testing.T) {
	bin := buildTurkmail(t)
	db := filepath.Join(t.TempDir(), "t.db")
	cmd, url, logs := startServe(t, bin, "--db", db, "--log-format", "json", "--dispatch=false")

	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || strings.TrimSpace(string(b)) != want {
			t.Fatalf("GET %s = %d %q", path, resp.StatusCode, b)
		}
	}
	// One API call, so that the metrics have a series to show.
	http.Post(url+"/", "application/x-amz-json-1.1", strings.NewReader("{}"))
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`turkmail_api_requests_total{code="UnknownOperationException",operation="-"} 1`,
		"turkmail_api_request_duration_seconds_bucket"} {
		if !strings.Contains(string(metrics), want) {
			t.Fatalf("/metrics lacks %q", want)
		}
	}

	// A slow client: its request is in flight (headers sent, body not yet) when SIGTERM comes.
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, url+"/", pr)
		req.Header.Set("X-Amz-Target", "MTurkRequesterServiceV20170117.GetAccountBalance")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- -1
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	pw.Write([]byte("{"))
	time.Sleep(200 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	time.Sleep(200 * time.Millisecond)
	pw.Write([]byte("}"))
	pw.Close()
	if code := <-done; code != 400 { // answered (MissingAuthenticationToken), not cut off
		t.Fatalf("request in flight at SIGTERM got %d, want its answer (400)", code)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v; logs:\n%s", err, logs)
	}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var v map[string]any
		if json.Unmarshal([]byte(line), &v) != nil || v["msg"] == nil {
			t.Fatalf("--log-format json wrote a line that is not a JSON record: %q", line)
		}
	}
	if !strings.Contains(logs.String(), `"msg":"stopped"`) {
		t.Fatalf("no stop record in logs:\n%s", logs)
	}
}
