package mturkapi_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/service/mturk"

	"github.com/turkmail/turkmail/apitest"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// A requester sees and changes only its own HITs, assignments and blocks: another
// requester's id gets exactly the error a nonexistent id gets.
func TestWorkHistoryTenancy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		srv := apitest.Start(t, s)
		owner := srv.SDK(t, srv.NewRequester(t, "Owner"))
		other := srv.SDK(t, srv.NewRequester(t, "Other"))
		addWorkers(t, srv.Service, "ATENANT")
		out, err := owner.CreateHIT(newHITInput(1))
		if err != nil {
			t.Fatal(err)
		}
		hitID := aws.StringValue(out.HIT.HITId)
		a, _ := srv.Service.AcceptAssignment(ctx, hitID, "ATENANT")
		if _, err := srv.Service.SubmitAssignment(ctx, a.ID, ""); err != nil {
			t.Fatal(err)
		}
		ht, _ := owner.CreateHITType(&mturk.CreateHITTypeInput{Title: aws.String("T"), Description: aws.String("D"),
			Reward: aws.String("1"), AssignmentDurationInSeconds: aws.Int64(60)})
		if _, err := owner.CreateWorkerBlock(&mturk.CreateWorkerBlockInput{WorkerId: aws.String("ABLOCKED"), Reason: aws.String("r")}); err != nil {
			t.Fatal(err)
		}

		const ghostHIT, ghostAssignment = "3GHOSTGHOSTGHOSTGHOSTGHOSTGHOS", "3NOSUCHASSIGNMENTNOSUCHASSIGNM"
		calls := []struct {
			name string
			call func(hit, assignment, hitType string) error
		}{
			{"GetHIT", func(h, _, _ string) error { _, err := other.GetHIT(&mturk.GetHITInput{HITId: &h}); return err }},
			{"ListAssignmentsForHIT", func(h, _, _ string) error {
				_, err := other.ListAssignmentsForHIT(&mturk.ListAssignmentsForHITInput{HITId: &h})
				return err
			}},
			{"UpdateExpirationForHIT", func(h, _, _ string) error {
				_, err := other.UpdateExpirationForHIT(&mturk.UpdateExpirationForHITInput{HITId: &h, ExpireAt: aws.Time(out.HIT.CreationTime.Add(1))})
				return err
			}},
			{"DeleteHIT", func(h, _, _ string) error { _, err := other.DeleteHIT(&mturk.DeleteHITInput{HITId: &h}); return err }},
			{"UpdateHITReviewStatus", func(h, _, _ string) error {
				_, err := other.UpdateHITReviewStatus(&mturk.UpdateHITReviewStatusInput{HITId: &h})
				return err
			}},
			{"GetAssignment", func(_, a, _ string) error {
				_, err := other.GetAssignment(&mturk.GetAssignmentInput{AssignmentId: &a})
				return err
			}},
			{"ApproveAssignment", func(_, a, _ string) error {
				_, err := other.ApproveAssignment(&mturk.ApproveAssignmentInput{AssignmentId: &a})
				return err
			}},
			{"RejectAssignment", func(_, a, _ string) error {
				_, err := other.RejectAssignment(&mturk.RejectAssignmentInput{AssignmentId: &a, RequesterFeedback: aws.String("x")})
				return err
			}},
			{"CreateHITWithHITType", func(_, _, ht string) error {
				_, err := other.CreateHITWithHITType(&mturk.CreateHITWithHITTypeInput{HITTypeId: &ht, LifetimeInSeconds: aws.Int64(60),
					Question: aws.String(externalQuestion)})
				return err
			}},
		}
		for _, c := range calls {
			foreign := c.call(hitID, a.ID, aws.StringValue(ht.HITTypeId))
			ghost := c.call(ghostHIT, ghostAssignment, ghostHIT)
			var fe, ge awserr.RequestFailure
			if !errors.As(foreign, &fe) || !errors.As(ghost, &ge) {
				t.Fatalf("%s: want errors for both, got %v and %v", c.name, foreign, ghost)
			}
			norm := strings.NewReplacer(hitID, "ID", a.ID, "ID", aws.StringValue(ht.HITTypeId), "ID", ghostHIT, "ID", ghostAssignment, "ID")
			if fe.Code() != ge.Code() || fe.StatusCode() != ge.StatusCode() || norm.Replace(fe.Message()) != norm.Replace(ge.Message()) {
				t.Errorf("%s: another requester's id gave %s %q, a nonexistent one %s %q", c.name, fe.Code(), fe.Message(), ge.Code(), ge.Message())
			}
		}
		if l, _ := other.ListHITs(&mturk.ListHITsInput{}); len(l.HITs) != 0 {
			t.Errorf("ListHITs shows another requester's HITs: %v", l)
		}
		if l, _ := other.ListReviewableHITs(&mturk.ListReviewableHITsInput{}); len(l.HITs) != 0 {
			t.Errorf("ListReviewableHITs shows another requester's HITs: %v", l)
		}
		if l, _ := other.ListWorkerBlocks(&mturk.ListWorkerBlocksInput{}); len(l.WorkerBlocks) != 0 {
			t.Errorf("ListWorkerBlocks shows another requester's blocks: %v", l)
		}
		// Nothing changed for the owner.
		ga, err := owner.GetAssignment(&mturk.GetAssignmentInput{AssignmentId: aws.String(a.ID)})
		if err != nil || aws.StringValue(ga.Assignment.AssignmentStatus) != "Submitted" || aws.StringValue(ga.HIT.HITStatus) != "Reviewable" {
			t.Fatalf("owner's assignment after the other's attempts: %v, %v", ga, err)
		}
	})
}

// Pagination: MaxResults 1–100, NextToken until the end, tokens bound to the requester and
// the listing, tampering refused.
func TestWorkHistoryPagination(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		srv := apitest.Start(t, s)
		creds := srv.NewRequester(t, "Pager")
		api := srv.SDK(t, creds)
		other := srv.SDK(t, srv.NewRequester(t, "Other"))
		want := map[string]bool{}
		for range 5 {
			out, err := api.CreateHIT(newHITInput(1))
			if err != nil {
				t.Fatal(err)
			}
			want[aws.StringValue(out.HIT.HITId)] = true
		}
		seen := map[string]bool{}
		var token *string
		var pages int
		for {
			l, err := api.ListHITs(&mturk.ListHITsInput{MaxResults: aws.Int64(2), NextToken: token})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			if aws.Int64Value(l.NumResults) != int64(len(l.HITs)) {
				t.Fatalf("NumResults %d, %d HITs", aws.Int64Value(l.NumResults), len(l.HITs))
			}
			for _, h := range l.HITs {
				if seen[aws.StringValue(h.HITId)] {
					t.Fatalf("HIT %s on two pages", aws.StringValue(h.HITId))
				}
				seen[aws.StringValue(h.HITId)] = true
			}
			if l.NextToken == nil {
				break
			}
			token = l.NextToken
		}
		if pages != 3 || len(seen) != len(want) {
			t.Fatalf("%d pages, %d HITs; want 3 pages, %d HITs", pages, len(seen), len(want))
		}
		first, _ := api.ListHITs(&mturk.ListHITsInput{MaxResults: aws.Int64(2)})
		tok := aws.StringValue(first.NextToken)
		tampered := tok[:len(tok)-2] + map[bool]string{true: "AB", false: "AA"}[!strings.HasSuffix(tok, "AA")]
		_, err := api.ListHITs(&mturk.ListHITsInput{NextToken: aws.String(tampered)})
		wantRequestError(t, "tampered token", err, "NextToken")
		_, err = other.ListHITs(&mturk.ListHITsInput{NextToken: first.NextToken})
		wantRequestError(t, "another requester's token", err, "NextToken")
		_, err = api.ListWorkerBlocks(&mturk.ListWorkerBlocksInput{NextToken: first.NextToken})
		wantRequestError(t, "another listing's token", err, "NextToken")
		for _, n := range []int64{0, 101} {
			req, _ := api.ListHITsRequest(&mturk.ListHITsInput{MaxResults: aws.Int64(n)})
			req.Handlers.Validate.Clear()
			wantRequestError(t, "MaxResults out of range", req.Send(), "MaxResults", "between 1 and 100")
		}
	})
}

// Every member MTurk validates is checked by the server and named in the message.
func TestWorkHistoryCreateHITValidation(t *testing.T) {
	srv := apitest.Start(t, storetest.Open(t, "sqlite"))
	api := srv.SDK(t, srv.NewRequester(t, "Validator"))
	for _, tc := range []struct {
		name   string
		change func(*mturk.CreateHITInput)
		want   string
	}{
		{"no title", func(in *mturk.CreateHITInput) { in.Title = nil }, "Title"},
		{"long title", func(in *mturk.CreateHITInput) { in.Title = aws.String(strings.Repeat("é", 129)) }, "Title must be at most 128"},
		{"long description", func(in *mturk.CreateHITInput) { in.Description = aws.String(strings.Repeat("d", 2001)) }, "Description"},
		{"short lifetime", func(in *mturk.CreateHITInput) { in.LifetimeInSeconds = aws.Int64(29) }, "LifetimeInSeconds"},
		{"long lifetime", func(in *mturk.CreateHITInput) { in.LifetimeInSeconds = aws.Int64(365*86400 + 1) }, "LifetimeInSeconds"},
		{"short duration", func(in *mturk.CreateHITInput) { in.AssignmentDurationInSeconds = aws.Int64(10) }, "AssignmentDurationInSeconds"},
		{"long auto-approval", func(in *mturk.CreateHITInput) { in.AutoApprovalDelayInSeconds = aws.Int64(30*86400 + 1) }, "AutoApprovalDelayInSeconds"},
		{"zero assignments", func(in *mturk.CreateHITInput) { in.MaxAssignments = aws.Int64(0) }, "MaxAssignments"},
		{"bad reward", func(in *mturk.CreateHITInput) { in.Reward = aws.String("1.234") }, "Reward"},
		{"no question", func(in *mturk.CreateHITInput) { in.Question = nil }, "Question"},
		{"broken question", func(in *mturk.CreateHITInput) { in.Question = aws.String("<ExternalQuestion><ExternalURL>") }, "Question is not well-formed"},
		{"other XML", func(in *mturk.CreateHITInput) { in.Question = aws.String("<html/>") }, "QuestionForm, ExternalQuestion or HTMLQuestion"},
		{"long token", func(in *mturk.CreateHITInput) { in.UniqueRequestToken = aws.String(strings.Repeat("t", 65)) }, "UniqueRequestToken"},
		{"bad comparator", func(in *mturk.CreateHITInput) {
			in.QualificationRequirements = []*mturk.QualificationRequirement{{QualificationTypeId: aws.String("000000000000000000L0"), Comparator: aws.String("Near")}}
		}, "Comparator"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := newHITInput(1)
			tc.change(in)
			req, _ := api.CreateHITRequest(in)
			req.Handlers.Validate.Clear()
			wantRequestError(t, tc.name, req.Send(), tc.want)
		})
	}
	in := newHITInput(1)
	in.UniqueRequestToken = aws.String("batch-7-item-1")
	out, err := api.CreateHIT(in)
	if err != nil {
		t.Fatal(err)
	}
	_, err = api.CreateHIT(in)
	wantRequestError(t, "same UniqueRequestToken", err, aws.StringValue(out.HIT.HITId))
}
