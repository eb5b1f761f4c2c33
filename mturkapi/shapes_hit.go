package mturkapi

import (
	"time"

	"github.com/turkmail/turkmail"
)

// hitShape is MTurk's HIT structure.
type hitShape struct {
	HITId                        string                              `json:"HITId"`
	HITTypeId                    string                              `json:"HITTypeId"`
	HITGroupId                   string                              `json:"HITGroupId"`
	HITLayoutId                  string                              `json:"HITLayoutId,omitempty"`
	CreationTime                 *timestamp                          `json:"CreationTime,omitempty"`
	Title                        string                              `json:"Title"`
	Description                  string                              `json:"Description"`
	Question                     string                              `json:"Question,omitempty"`
	Keywords                     string                              `json:"Keywords"`
	HITStatus                    string                              `json:"HITStatus"`
	MaxAssignments               int64                               `json:"MaxAssignments"`
	Reward                       string                              `json:"Reward"`
	AutoApprovalDelayInSeconds   int64                               `json:"AutoApprovalDelayInSeconds"`
	Expiration                   *timestamp                          `json:"Expiration,omitempty"`
	AssignmentDurationInSeconds  int64                               `json:"AssignmentDurationInSeconds"`
	RequesterAnnotation          string                              `json:"RequesterAnnotation,omitempty"`
	QualificationRequirements    []turkmail.QualificationRequirement `json:"QualificationRequirements"`
	HITReviewStatus              string                              `json:"HITReviewStatus"`
	NumberOfAssignmentsPending   int64                               `json:"NumberOfAssignmentsPending"`
	NumberOfAssignmentsAvailable int64                               `json:"NumberOfAssignmentsAvailable"`
	NumberOfAssignmentsCompleted int64                               `json:"NumberOfAssignmentsCompleted"`
}

func toHITShape(h turkmail.HIT, now time.Time) hitShape {
	quals := h.Type.QualificationRequirements
	if quals == nil {
		quals = []turkmail.QualificationRequirement{}
	}
	available := h.Available()
	if !now.Before(h.Expiration) || h.Disposed {
		available = 0 // an expired HIT offers nothing, whatever its free slots
	}
	return hitShape{
		HITId: h.ID, HITTypeId: h.Type.ID, HITGroupId: h.HITGroupID, HITLayoutId: h.HITLayoutID,
		CreationTime: ts(h.CreatedAt), Title: h.Type.Title, Description: h.Type.Description,
		Question: h.Question, Keywords: h.Type.Keywords, HITStatus: h.Status(now),
		MaxAssignments: h.MaxAssignments, Reward: turkmail.FormatMoney(h.Type.RewardCents),
		AutoApprovalDelayInSeconds:  int64(h.Type.AutoApprovalDelay / time.Second),
		Expiration:                  ts(h.Expiration),
		AssignmentDurationInSeconds: int64(h.Type.AssignmentDuration / time.Second),
		RequesterAnnotation:         h.RequesterAnnotation, QualificationRequirements: quals,
		HITReviewStatus: h.ReviewStatus, NumberOfAssignmentsPending: h.Pending,
		NumberOfAssignmentsAvailable: available, NumberOfAssignmentsCompleted: h.Completed,
	}
}

func toHITShapes(hs []turkmail.HIT, now time.Time) []hitShape {
	out := make([]hitShape, len(hs))
	for i, h := range hs {
		out[i] = toHITShape(h, now)
	}
	return out
}

// assignmentShape is MTurk's Assignment structure.
type assignmentShape struct {
	AssignmentId      string     `json:"AssignmentId"`
	WorkerId          string     `json:"WorkerId"`
	HITId             string     `json:"HITId"`
	AssignmentStatus  string     `json:"AssignmentStatus"`
	AutoApprovalTime  *timestamp `json:"AutoApprovalTime,omitempty"`
	AcceptTime        *timestamp `json:"AcceptTime,omitempty"`
	SubmitTime        *timestamp `json:"SubmitTime,omitempty"`
	ApprovalTime      *timestamp `json:"ApprovalTime,omitempty"`
	RejectionTime     *timestamp `json:"RejectionTime,omitempty"`
	Deadline          *timestamp `json:"Deadline,omitempty"`
	Answer            string     `json:"Answer,omitempty"`
	RequesterFeedback string     `json:"RequesterFeedback,omitempty"`
}

func toAssignmentShape(a turkmail.Assignment) assignmentShape {
	return assignmentShape{
		AssignmentId: a.ID, WorkerId: a.WorkerID, HITId: a.HITID, AssignmentStatus: a.Status,
		AutoApprovalTime: ts(a.AutoApprovalTime), AcceptTime: ts(a.AcceptedAt), SubmitTime: ts(a.SubmittedAt),
		ApprovalTime: ts(a.ApprovedAt), RejectionTime: ts(a.RejectedAt), Deadline: ts(a.Deadline),
		Answer: a.Answer, RequesterFeedback: a.RequesterFeedback,
	}
}

// empty is the body of operations that answer nothing: {}.
type empty struct{}

// entityID checks a required EntityId member (^[A-Z0-9]+$, 1–64 characters).
func entityID(member string, v *string) (string, error) {
	if v == nil {
		return "", requestError("AWS.MechanicalTurk.MissingParameter", "The request must include %s.", member)
	}
	ok := len(*v) >= 1 && len(*v) <= 64
	for i := 0; ok && i < len(*v); i++ {
		c := (*v)[i]
		ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
	}
	if !ok {
		return "", requestError("AWS.MechanicalTurk.InvalidParameterValue", "%s must be 1 to 64 upper-case letters or digits.", member)
	}
	return *v, nil
}
