package mturkapi_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/service/mturk"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/apitest"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

const externalQuestion = `<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd"><ExternalURL>https://example.org/task</ExternalURL><FrameHeight>400</FrameHeight></ExternalQuestion>`

func newHITInput(max int64) *mturk.CreateHITInput {
	return &mturk.CreateHITInput{
		Title: aws.String("Label the birds"), Description: aws.String("Name the bird in each photo"),
		Keywords: aws.String("birds, images"), Reward: aws.String("0.25"), MaxAssignments: aws.Int64(max),
		LifetimeInSeconds: aws.Int64(3600), AssignmentDurationInSeconds: aws.Int64(600),
		AutoApprovalDelayInSeconds: aws.Int64(86400), Question: aws.String(externalQuestion),
		RequesterAnnotation: aws.String("batch-7"),
	}
}

// wantRequestError checks that err is a RequestError whose message contains each of parts.
func wantRequestError(t *testing.T, what string, err error, parts ...string) {
	t.Helper()
	var ae awserr.RequestFailure
	if !errors.As(err, &ae) || ae.Code() != "RequestError" || ae.StatusCode() != 400 {
		t.Fatalf("%s: got %v, want a RequestError (HTTP 400)", what, err)
	}
	for _, p := range parts {
		if !strings.Contains(ae.Message(), p) {
			t.Fatalf("%s: message %q does not contain %q", what, ae.Message(), p)
		}
	}
}

func addWorkers(t *testing.T, svc *turkmail.Service, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if _, _, err := svc.AddWorker(context.Background(), id, strings.ToLower(id)+"@example.org", ""); err != nil {
			t.Fatal(err)
		}
	}
}

// The lifecycle through aws-sdk-go v1: create a HIT, two workers accept and submit (one on
// the CLI's path, one through the ExternalQuestion form), list, approve one, reject the
// other, override the rejection; both become eligible for notifications.
func TestWorkHistoryLifecycleSDK(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		srv := apitest.Start(t, s)
		creds := srv.NewRequester(t, "Bird Lab")
		api := srv.SDK(t, creds)
		addWorkers(t, srv.Service, "AWORKERONE", "AWORKERTWO")

		before := time.Now().Add(-time.Second)
		out, err := api.CreateHIT(newHITInput(2))
		if err != nil {
			t.Fatal(err)
		}
		h := out.HIT
		if aws.StringValue(h.HITStatus) != "Assignable" || aws.Int64Value(h.NumberOfAssignmentsAvailable) != 2 ||
			aws.StringValue(h.Reward) != "0.25" || aws.StringValue(h.Title) != "Label the birds" ||
			aws.StringValue(h.Question) != externalQuestion || aws.StringValue(h.HITReviewStatus) != "NotReviewed" ||
			aws.Int64Value(h.AutoApprovalDelayInSeconds) != 86400 || aws.StringValue(h.RequesterAnnotation) != "batch-7" ||
			h.CreationTime.Before(before) || h.Expiration.Sub(*h.CreationTime) != time.Hour {
			t.Fatalf("CreateHIT returned %s", h)
		}
		// Identical properties: the same HIT type.
		ht, err := api.CreateHITType(&mturk.CreateHITTypeInput{Title: aws.String("Label the birds"),
			Description: aws.String("Name the bird in each photo"), Keywords: aws.String("birds, images"),
			Reward: aws.String("0.25"), AssignmentDurationInSeconds: aws.Int64(600), AutoApprovalDelayInSeconds: aws.Int64(86400)})
		if err != nil || aws.StringValue(ht.HITTypeId) != aws.StringValue(h.HITTypeId) {
			t.Fatalf("CreateHITType = %v, %v; want %s", ht, err, aws.StringValue(h.HITTypeId))
		}
		hitID := aws.StringValue(h.HITId)

		a1, err := srv.Service.AcceptAssignment(ctx, hitID, "AWORKERONE")
		if err != nil {
			t.Fatal(err)
		}
		a2, err := srv.Service.AcceptAssignment(ctx, hitID, "AWORKERTWO")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := api.GetHIT(&mturk.GetHITInput{HITId: aws.String(hitID)})
		if aws.StringValue(got.HIT.HITStatus) != "Unassignable" || aws.Int64Value(got.HIT.NumberOfAssignmentsPending) != 2 {
			t.Fatalf("after two accepts: %s", got.HIT)
		}
		answer := `<QuestionFormAnswers xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd"><Answer><QuestionIdentifier>bird</QuestionIdentifier><FreeText>robin</FreeText></Answer></QuestionFormAnswers>`
		if _, err := srv.Service.SubmitAssignment(ctx, a1.ID, answer); err != nil {
			t.Fatal(err)
		}
		resp, err := http.PostForm(srv.URL+"/mturk/externalSubmit", url.Values{"assignmentId": {a2.ID}, "bird": {"<wren> & co"}})
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("externalSubmit: %v %v", resp, err)
		}
		resp.Body.Close()

		got, _ = api.GetHIT(&mturk.GetHITInput{HITId: aws.String(hitID)})
		if aws.StringValue(got.HIT.HITStatus) != "Reviewable" || aws.Int64Value(got.HIT.NumberOfAssignmentsPending) != 0 {
			t.Fatalf("after two submits: %s", got.HIT)
		}
		rev, err := api.ListReviewableHITs(&mturk.ListReviewableHITsInput{})
		if err != nil || len(rev.HITs) != 1 || aws.StringValue(rev.HITs[0].HITId) != hitID {
			t.Fatalf("ListReviewableHITs = %v, %v", rev, err)
		}
		list, err := api.ListAssignmentsForHIT(&mturk.ListAssignmentsForHITInput{HITId: aws.String(hitID),
			AssignmentStatuses: aws.StringSlice([]string{"Submitted"})})
		if err != nil || aws.Int64Value(list.NumResults) != 2 {
			t.Fatalf("ListAssignmentsForHIT = %v, %v", list, err)
		}
		byWorker := map[string]*mturk.Assignment{}
		for _, a := range list.Assignments {
			byWorker[aws.StringValue(a.WorkerId)] = a
		}
		if x := byWorker["AWORKERONE"]; aws.StringValue(x.Answer) != answer || aws.StringValue(x.AssignmentStatus) != "Submitted" ||
			x.SubmitTime == nil || x.AutoApprovalTime.Sub(*x.SubmitTime) != 24*time.Hour || x.Deadline.Sub(*x.AcceptTime) != 10*time.Minute {
			t.Fatalf("assignment of AWORKERONE: %s", x)
		}
		if x := byWorker["AWORKERTWO"]; !strings.Contains(aws.StringValue(x.Answer), "<QuestionIdentifier>bird</QuestionIdentifier><FreeText>&lt;wren&gt; &amp; co</FreeText>") {
			t.Fatalf("externalSubmit answer: %s", aws.StringValue(x.Answer))
		}

		if _, err := api.ApproveAssignment(&mturk.ApproveAssignmentInput{AssignmentId: aws.String(a1.ID), RequesterFeedback: aws.String("Thanks!")}); err != nil {
			t.Fatal(err)
		}
		if _, err := api.RejectAssignment(&mturk.RejectAssignmentInput{AssignmentId: aws.String(a2.ID), RequesterFeedback: aws.String("Not a bird")}); err != nil {
			t.Fatal(err)
		}
		ga, err := api.GetAssignment(&mturk.GetAssignmentInput{AssignmentId: aws.String(a2.ID)})
		if err != nil || aws.StringValue(ga.Assignment.AssignmentStatus) != "Rejected" || ga.Assignment.RejectionTime == nil ||
			aws.StringValue(ga.Assignment.RequesterFeedback) != "Not a bird" || aws.StringValue(ga.HIT.HITId) != hitID ||
			aws.Int64Value(ga.HIT.NumberOfAssignmentsCompleted) != 2 {
			t.Fatalf("GetAssignment = %v, %v", ga, err)
		}
		reviewed, err := s.ReviewedWorkers(ctx, creds.RequesterID, []string{"AWORKERONE", "AWORKERTWO", "ANOWORK"})
		if err != nil || !reviewed["AWORKERONE"] || !reviewed["AWORKERTWO"] || len(reviewed) != 2 {
			t.Fatalf("ReviewedWorkers = %v, %v", reviewed, err)
		}

		_, err = api.ApproveAssignment(&mturk.ApproveAssignmentInput{AssignmentId: aws.String(a2.ID)})
		wantRequestError(t, "approve a rejected one without override", err, a2.ID, "OverrideRejection")
		if _, err := api.ApproveAssignment(&mturk.ApproveAssignmentInput{AssignmentId: aws.String(a2.ID), OverrideRejection: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
		ga, _ = api.GetAssignment(&mturk.GetAssignmentInput{AssignmentId: aws.String(a2.ID)})
		if aws.StringValue(ga.Assignment.AssignmentStatus) != "Approved" || ga.Assignment.ApprovalTime == nil {
			t.Fatalf("after override: %s", ga.Assignment)
		}

		_, err = api.ApproveAssignment(&mturk.ApproveAssignmentInput{AssignmentId: aws.String(a1.ID)})
		wantRequestError(t, "approve twice", err, a1.ID, "already approved")
		_, err = api.RejectAssignment(&mturk.RejectAssignmentInput{AssignmentId: aws.String(a1.ID), RequesterFeedback: aws.String("no")})
		wantRequestError(t, "reject an approved one", err, a1.ID, "approved assignment cannot be rejected")
		// The SDK checks required members itself; skip that to see the server's own check.
		req, _ := api.RejectAssignmentRequest(&mturk.RejectAssignmentInput{AssignmentId: aws.String(a1.ID)})
		req.Handlers.Validate.Clear()
		wantRequestError(t, "reject without feedback", req.Send(), "RequesterFeedback")
	})
}

func TestWorkHistoryInvalidTransitionsSDK(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		srv := apitest.Start(t, s)
		creds := srv.NewRequester(t, "Lab")
		api := srv.SDK(t, creds)
		addWorkers(t, srv.Service, "AONE", "ATWO", "ATHREE")
		out, err := api.CreateHIT(newHITInput(1))
		if err != nil {
			t.Fatal(err)
		}
		hitID := aws.StringValue(out.HIT.HITId)
		a, err := srv.Service.AcceptAssignment(ctx, hitID, "AONE")
		if err != nil {
			t.Fatal(err)
		}
		_, err = api.ApproveAssignment(&mturk.ApproveAssignmentInput{AssignmentId: aws.String(a.ID)})
		wantRequestError(t, "approve an unsubmitted one", err, a.ID, "not been submitted")
		_, err = api.GetAssignment(&mturk.GetAssignmentInput{AssignmentId: aws.String(a.ID)})
		wantRequestError(t, "get an unsubmitted one", err, "not been submitted")

		_, err = srv.Service.AcceptAssignment(ctx, hitID, "ATWO")
		if e := turkmail.AsError(err); e.Code != turkmail.CodeRequestError || !strings.Contains(e.Message, "no assignments left") {
			t.Fatalf("accept a full HIT: %v", err)
		}
		_, err = srv.Service.AcceptAssignment(ctx, hitID, "AONE")
		if e := turkmail.AsError(err); e.Code != turkmail.CodeRequestError || !strings.Contains(e.Message, "already has an assignment") {
			t.Fatalf("accept twice: %v", err)
		}
		_, err = api.DeleteHIT(&mturk.DeleteHITInput{HITId: aws.String(hitID)})
		wantRequestError(t, "delete with work in progress", err, hitID)

		out2, _ := api.CreateHIT(newHITInput(3))
		hit2 := aws.StringValue(out2.HIT.HITId)
		if _, err := api.UpdateExpirationForHIT(&mturk.UpdateExpirationForHITInput{HITId: aws.String(hit2), ExpireAt: aws.Time(time.Unix(0, 0))}); err != nil {
			t.Fatal(err)
		}
		_, err = srv.Service.AcceptAssignment(ctx, hit2, "ATHREE")
		if e := turkmail.AsError(err); e.Code != turkmail.CodeRequestError || !strings.Contains(e.Message, "expired") {
			t.Fatalf("accept an expired HIT: %v", err)
		}
		got, _ := api.GetHIT(&mturk.GetHITInput{HITId: aws.String(hit2)})
		if aws.StringValue(got.HIT.HITStatus) != "Reviewable" || aws.Int64Value(got.HIT.NumberOfAssignmentsAvailable) != 0 {
			t.Fatalf("expired HIT: %s", got.HIT)
		}
		if _, err := api.DeleteHIT(&mturk.DeleteHITInput{HITId: aws.String(hit2)}); err != nil {
			t.Fatal(err)
		}
		if _, err := api.DeleteHIT(&mturk.DeleteHITInput{HITId: aws.String(hit2)}); err != nil {
			t.Fatalf("delete again: %v", err)
		}
		got, _ = api.GetHIT(&mturk.GetHITInput{HITId: aws.String(hit2)})
		if aws.StringValue(got.HIT.HITStatus) != "Disposed" {
			t.Fatalf("deleted HIT: %s", got.HIT)
		}
		l, _ := api.ListHITs(&mturk.ListHITsInput{})
		if len(l.HITs) != 1 || aws.StringValue(l.HITs[0].HITId) != hitID {
			t.Fatalf("ListHITs after delete: %v", l)
		}
		_, err = api.UpdateExpirationForHIT(&mturk.UpdateExpirationForHITInput{HITId: aws.String(hit2), ExpireAt: aws.Time(time.Now().Add(time.Hour))})
		wantRequestError(t, "extend a deleted HIT", err, "deleted")

		// Blocks: a blocked worker cannot accept.
		out3, _ := api.CreateHIT(newHITInput(3))
		hit3 := aws.StringValue(out3.HIT.HITId)
		if _, err := api.CreateWorkerBlock(&mturk.CreateWorkerBlockInput{WorkerId: aws.String("ATHREE"), Reason: aws.String("spam")}); err != nil {
			t.Fatal(err)
		}
		_, err = srv.Service.AcceptAssignment(ctx, hit3, "ATHREE")
		if e := turkmail.AsError(err); e.Code != turkmail.CodeRequestError || !strings.Contains(e.Message, "blocked") {
			t.Fatalf("accept while blocked: %v", err)
		}
		bl, err := api.ListWorkerBlocks(&mturk.ListWorkerBlocksInput{})
		if err != nil || len(bl.WorkerBlocks) != 1 || aws.StringValue(bl.WorkerBlocks[0].Reason) != "spam" {
			t.Fatalf("ListWorkerBlocks = %v, %v", bl, err)
		}
		for range 2 { // unblocking one who is not blocked succeeds
			if _, err := api.DeleteWorkerBlock(&mturk.DeleteWorkerBlockInput{WorkerId: aws.String("ATHREE")}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := srv.Service.AcceptAssignment(ctx, hit3, "ATHREE"); err != nil {
			t.Fatalf("accept after unblock: %v", err)
		}
		_, err = api.CreateWorkerBlock(&mturk.CreateWorkerBlockInput{WorkerId: aws.String("bad id"), Reason: aws.String("x")})
		wantRequestError(t, "block a malformed id", err, "WorkerId")
	})
}

// Auto-approval approves a submitted assignment once its delay has passed, exactly once
// however many nodes run the job, and makes the worker eligible.
func TestWorkHistoryAutoApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		srv := apitest.Start(t, s)
		creds := srv.NewRequester(t, "Lab")
		api := srv.SDK(t, creds)
		addWorkers(t, srv.Service, "AAUTO")
		in := newHITInput(1)
		in.AutoApprovalDelayInSeconds = aws.Int64(60)
		out, err := api.CreateHIT(in)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := srv.Service.AcceptAssignment(ctx, aws.StringValue(out.HIT.HITId), "AAUTO")
		sub, err := srv.Service.SubmitAssignment(ctx, a.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if n, err := srv.Service.AutoApprove(ctx); err != nil || n != 0 {
			t.Fatalf("AutoApprove before the delay = %d, %v", n, err)
		}
		srv.Clock.Advance(61 * time.Second)
		// Several nodes at once: the total is one approval.
		results := make(chan int, 4)
		for range 4 {
			go func() {
				n, err := srv.Service.AutoApprove(ctx)
				if err != nil {
					t.Error(err)
				}
				results <- n
			}()
		}
		total := 0
		for range 4 {
			total += <-results
		}
		if total != 1 {
			t.Fatalf("four concurrent AutoApprove runs approved %d, want 1", total)
		}
		ga, err := api.GetAssignment(&mturk.GetAssignmentInput{AssignmentId: aws.String(a.ID)})
		if err != nil || aws.StringValue(ga.Assignment.AssignmentStatus) != "Approved" || !ga.Assignment.ApprovalTime.Equal(sub.AutoApprovalTime) {
			t.Fatalf("after auto-approval: %v, %v", ga, err)
		}
		if r, _ := s.ReviewedWorkers(ctx, creds.RequesterID, []string{"AAUTO"}); !r["AAUTO"] {
			t.Fatal("auto-approved worker is not eligible")
		}
	})
}

// The ExternalQuestion endpoint answers a wrong submission with 400 and a plain reason.
func TestExternalSubmitErrors(t *testing.T) {
	srv := apitest.Start(t, storetest.Open(t, "sqlite"))
	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"q": {"a"}}, "no assignmentId"},
		{url.Values{"assignmentId": {"ASSIGNMENT_ID_NOT_AVAILABLE"}}, "accept the HIT first"},
		{url.Values{"assignmentId": {"3NOSUCHASSIGNMENT"}}, "does not exist"},
	} {
		resp, err := http.PostForm(srv.URL+"/mturk/externalSubmit", tc.form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 400 || !strings.Contains(string(body), tc.want) {
			t.Errorf("%v: %d %q, want 400 mentioning %q", tc.form, resp.StatusCode, body, tc.want)
		}
	}
}
