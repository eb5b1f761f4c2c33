package apitest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/turkmail/turkmail"
)

// RequirePython skips t when python3 with boto3 or the AWS CLI is missing, except under
// CI=true, where the real clients are required and their absence fails the test.
func RequirePython(t testing.TB, what ...string) {
	t.Helper()
	for _, w := range what {
		var err error
		switch w {
		case "boto3":
			err = exec.Command("python3", "-c", "import boto3").Run()
		case "aws":
			_, err = exec.LookPath("aws")
		}
		if err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s is required in CI but not usable: %v", w, err)
			}
			t.Skipf("%s not available (%v); install it to run this test", w, err)
		}
	}
}

// clientEnv is the environment of a real client process: credentials, region, endpoint,
// and nothing from the user's own AWS configuration.
func (s *Server) clientEnv(c turkmail.Credentials) []string {
	return append(os.Environ(),
		"AWS_ACCESS_KEY_ID="+c.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+c.SecretAccessKey,
		"AWS_SESSION_TOKEN=",
		"AWS_DEFAULT_REGION="+Region,
		"AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"TURKMAIL_ENDPOINT="+s.URL,
	)
}

// Python runs a boto3 script (stdin) with the client environment set; the script finds
// the endpoint in os.environ["TURKMAIL_ENDPOINT"]. It returns stdout, stderr and the exit code.
func (s *Server) Python(t testing.TB, c turkmail.Credentials, script string) (stdout, stderr string, code int) {
	t.Helper()
	RequirePython(t, "boto3")
	return run(t, s.clientEnv(c), script, "python3", "-")
}

// AWSCLI runs `aws <args> --endpoint-url <server> --region us-east-1 --output json`.
func (s *Server) AWSCLI(t testing.TB, c turkmail.Credentials, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	RequirePython(t, "aws")
	args = append(args, "--endpoint-url", s.URL, "--region", Region, "--output", "json")
	return run(t, s.clientEnv(c), "", "aws", args...)
}

func run(t testing.TB, env []string, stdin, name string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.Stdin = bytes.NewBufferString(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), errb.String(), 0
	case errors.As(err, &ee):
		return out.String(), errb.String(), ee.ExitCode()
	}
	t.Fatalf("run %s: %v", name, err)
	return "", "", -1
}
