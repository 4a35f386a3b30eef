-- Analytics (docs/api.md#analytics) retention: "does this client have two completed sessions with this coach
-- starting before `to`?" is one seek here (a covering index), whatever the client's or the
-- coach's history; through sessions_by_client it read the client's rows one by one.
CREATE INDEX sessions_client_coach ON sessions (org, client_id, coach_id, status, sort_key);
