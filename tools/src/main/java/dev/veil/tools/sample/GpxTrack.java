package dev.veil.tools.sample;

import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The real GPS trace replayed as the location events of one data subject: the track points of
 * {@code sample/limerick-bus-304-2019-02-18.gpx}, read with the JDK's StAX parser.
 */
final class GpxTrack {

    /** Classpath location of the GPX file. */
    static final String RESOURCE = "/sample/limerick-bus-304-2019-02-18.gpx";

    /**
     * One track point.
     *
     * @param lat latitude, WGS84 decimal degrees, exactly as written in the file (for example
     *     "52.6291510")
     * @param lon longitude, WGS84 decimal degrees, exactly as written in the file
     * @param time when the fix was taken
     */
    record Point(String lat, String lon, Instant time) {}

    private GpxTrack() {}

    /** Reads all {@code trkpt} elements in file order; fails if a point lacks lat, lon or time. */
    static List<Point> load() {
        try (InputStream in = GpxTrack.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing classpath resource " + RESOURCE);
            }
            return parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot parse " + RESOURCE, e);
        }
    }

    private static List<Point> parse(InputStream in) throws XMLStreamException {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        XMLStreamReader xml = factory.createXMLStreamReader(in, "UTF-8");
        List<Point> points = new ArrayList<>();
        String lat = null;
        String lon = null;
        boolean inPoint = false;
        try {
            while (xml.hasNext()) {
                int event = xml.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    String name = xml.getLocalName();
                    if (name.equals("trkpt")) {
                        lat = xml.getAttributeValue(null, "lat");
                        lon = xml.getAttributeValue(null, "lon");
                        inPoint = true;
                        if (lat == null || lon == null) {
                            throw new IllegalStateException(
                                    "trkpt without lat/lon at " + xml.getLocation());
                        }
                    } else if (inPoint && name.equals("time")) {
                        Instant time = Instant.parse(xml.getElementText().strip());
                        points.add(new Point(lat.strip(), lon.strip(), time));
                        inPoint = false;
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT
                        && xml.getLocalName().equals("trkpt")
                        && inPoint) {
                    throw new IllegalStateException("trkpt without time at " + xml.getLocation());
                }
            }
        } finally {
            xml.close();
        }
        return List.copyOf(points);
    }
}
