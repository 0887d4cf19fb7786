-- +goose Up
-- Webhooks: a delivery that died before 00076 began counting the later
-- events sent about its address (later_sent) may have been followed by
-- some (a dead delivery never held them back): its later_sent = 0 proves
-- nothing. later_unknown marks those,
-- and `bouncer webhooks redeliver` refuses them without --force. Every
-- dead delivery there is when this runs is marked: on a database that
-- went from 00075 (or earlier) to here at once, all died uncounted; on one
-- that ran 00076 first, the marks on those that died since only ask for a
-- --force that the count would not have (refusing too much, never too
-- little). Keep in step with ../sqlite/.
ALTER TABLE webhook_deliveries ADD COLUMN later_unknown boolean NOT NULL DEFAULT false;
UPDATE webhook_deliveries SET later_unknown = true WHERE state = 'dead';

-- +goose Down
ALTER TABLE webhook_deliveries DROP COLUMN later_unknown;
