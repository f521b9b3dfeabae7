package org.wabridge.b2bua.ops.calllog;

import java.util.List;
import java.util.Optional;

/** Read access to the call log, shared by the admin API and the CLI. */
public interface CallLogReader {

    /** Calls matching the query, newest first, without their timelines. */
    List<CallRecord> calls(CallQuery query) throws CallLogException;

    /** One call with its timeline, by our call id or by Meta's call id. */
    Optional<CallRecord> call(String id) throws CallLogException;
}
