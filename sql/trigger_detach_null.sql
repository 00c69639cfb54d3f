-- wf_detach_checkpoint(NULL) is 22004, as every other NULL table or id
-- (F15 of the security review; it was 42704 "table <NULL> has no
-- checkpoint trigger").
SET search_path = workflow_persist, public;
\set SHOW_CONTEXT never
\set VERBOSITY sqlstate
SELECT wf_detach_checkpoint(NULL);
SELECT wf_attach_checkpoint(NULL, 'id', 'k');
CREATE TABLE public.detach_me (id text, k text);
SELECT wf_detach_checkpoint('public.detach_me');
\set VERBOSITY default
SELECT wf_detach_checkpoint(NULL);
DROP TABLE public.detach_me;
