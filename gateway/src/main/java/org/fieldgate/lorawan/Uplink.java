package org.fieldgate.lorawan;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;

/**
 * One LoRaWAN uplink as either network server publishes it, reduced to what fieldgate uses.
 *
 * @param network       {@code chirpstack} or {@code tts}
 * @param application   the network's application id (ChirpStack UUID; TTS id, without {@code @tenant})
 * @param deviceNames   the names the site file may map the device by: device name / device_id, then DevEUI
 * @param device        the device name readings carry (ChirpStack {@code deviceName}, TTS {@code device_id})
 * @param profile       ChirpStack {@code deviceProfileName} or TTS {@code version_ids.model_id}; null when absent
 * @param fCnt          the uplink frame counter (0 when the field is absent: both networks omit zero values)
 * @param receivedNs    the network's receive time, ns since the epoch
 * @param timeSource    the JSON field the receive time was read from, for dead letters and the docs
 * @param decoded       the decoded payload object ({@code object} / {@code decoded_payload}), or null
 * @param bestGateway   the receiving gateway with the highest SNR, or null when the event lists none
 */
record Uplink(String network, String application, List<String> deviceNames, String device, String profile, long fCnt,
              long receivedNs, String timeSource, JsonNode decoded, Gateway bestGateway) {

    /** One gateway's reception: ChirpStack {@code rxInfo[]}, TTS {@code uplink_message.rx_metadata[]}. */
    record Gateway(String id, Double rssiDbm, Double snrDb) {
    }
}
