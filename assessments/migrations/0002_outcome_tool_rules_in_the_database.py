"""What the database itself refuses, whatever writes to it: a score outside its tool's scale or for
an area of another tool; a reading of a tool about one person without the person (or of a tool about
the whole family with one); and a change to a tool's scale or direction once it has readings, which
would change what the readings mean. Plain triggers, raising check_violation (Django's
IntegrityError), as for the access log's."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION assessments_score_within_scale() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lowest integer;
    highest integer;
    area_tool bigint;
    reading_tool bigint;
BEGIN
    SELECT tool.scale_min, tool.scale_max, area.tool_id INTO lowest, highest, area_tool
      FROM assessments_toolarea area JOIN assessments_outcometool tool ON tool.id = area.tool_id
     WHERE area.id = NEW.area_id;
    SELECT reading.tool_id INTO reading_tool FROM assessments_reading reading WHERE reading.id = NEW.reading_id;
    IF area_tool IS DISTINCT FROM reading_tool THEN
        RAISE EXCEPTION 'a score for area % is not for an area of the reading''s tool', NEW.area_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.value < lowest OR NEW.value > highest THEN
        RAISE EXCEPTION 'score % is outside the tool''s scale (% to %)', NEW.value, lowest, highest
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER assessments_score_within_scale BEFORE INSERT OR UPDATE ON assessments_score
    FOR EACH ROW EXECUTE FUNCTION assessments_score_within_scale();

CREATE FUNCTION assessments_reading_person_fits_tool() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tool_subject varchar;
BEGIN
    SELECT subject INTO tool_subject FROM assessments_outcometool WHERE id = NEW.tool_id;
    IF (tool_subject = 'family') <> (NEW.person_id IS NULL) THEN
        RAISE EXCEPTION 'a reading names a person exactly when its tool is about one person'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER assessments_reading_person_fits_tool BEFORE INSERT OR UPDATE ON assessments_reading
    FOR EACH ROW EXECUTE FUNCTION assessments_reading_person_fits_tool();

CREATE FUNCTION assessments_tool_scale_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM assessments_reading WHERE tool_id = NEW.id) THEN
        RAISE EXCEPTION 'the scale, direction and subject of tool % cannot change once it has readings', NEW.code
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER assessments_tool_scale_kept BEFORE UPDATE ON assessments_outcometool
    FOR EACH ROW
    WHEN ((OLD.scale_min, OLD.scale_max, OLD.higher_is_better, OLD.subject)
          IS DISTINCT FROM (NEW.scale_min, NEW.scale_max, NEW.higher_is_better, NEW.subject))
    EXECUTE FUNCTION assessments_tool_scale_kept();
"""

BACKWARD = """
DROP TRIGGER assessments_tool_scale_kept ON assessments_outcometool;
DROP FUNCTION assessments_tool_scale_kept();
DROP TRIGGER assessments_reading_person_fits_tool ON assessments_reading;
DROP FUNCTION assessments_reading_person_fits_tool();
DROP TRIGGER assessments_score_within_scale ON assessments_score;
DROP FUNCTION assessments_score_within_scale();
"""


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_outcome_tools")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
